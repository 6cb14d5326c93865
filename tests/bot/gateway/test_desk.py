"""The agents' desk as two agents use it: claims with owners, takeovers, buttons, and no silent replies.

The real gateway process runs against the fake Bot API and the fake Rasa on a private database;
escalations are written the way the actions write them (tests/bot/gateway/test_delivery.py).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from bot.db import escalation_queries
from bot.db.escalation_models import Escalation
from bot.gateway import texts
from bot.gateway.saved_replies import SavedReplies
from bot.handoff import leave, note_for_agents
from bot.message_length import TELEGRAM_TEXT_LIMIT, utf16_length
from tests.bot.gateway.conftest import GatewayProcess, new_user_id
from tests.bot.gateway.fake_rasa import FakeRasa
from tests.bot.gateway.fake_telegram import BOT_USERNAME, FakeTelegram, user
from tests.bot.gateway.test_delivery import escalate, in_database

AGENT_REPLY_PREFIX = texts.AGENT_REPLY.format(text="")


def card_of(telegram: FakeTelegram, group: int, escalation_id: int) -> dict[str, Any]:
    """The escalation's card as it was posted."""
    return telegram.wait_for(
        lambda: next(
            (m for m in telegram.sent(group) if m["text"].startswith(f"🆘 转人工 #{escalation_id}\n")), None
        ),
        what=f"the card of #{escalation_id}",
    )


def buttons(markup: Any) -> list[str]:
    """The texts of a keyboard's buttons."""
    return [button["text"] for row in (markup or {}).get("inline_keyboard", []) for button in row]


def group_text(telegram: FakeTelegram, group: int, pattern: str) -> str:
    """The first message in the group matching `pattern` (waited for)."""
    return telegram.wait_for(
        lambda: next((t for t in telegram.texts(group) if re.search(pattern, t)), None), what=pattern
    )


def escalation(env: dict[str, str], escalation_id: int) -> Escalation:
    def read(session: Session) -> Escalation:
        found = escalation_queries.get_escalation(session, escalation_id)
        assert found is not None
        session.expunge(found)
        return found

    return in_database(env, read)  # type: ignore[return-value]


def staffed_case(
    telegram: FakeTelegram, group: int, env: dict[str, str], agent_name: str = "小王"
) -> tuple[dict[str, Any], int, int, dict[str, Any]]:
    """A member of the agents group and a Telegram applicant's case with its card: (agent, applicant, case, card)."""
    agent_id = new_user_id()
    telegram.chats[group].members[agent_id] = "member"
    applicant = new_user_id()
    case = escalate(env, applicant)
    return user(agent_id, agent_name), applicant, case, card_of(telegram, group, case)


def test_two_agents_race_for_a_case_then_one_takes_it_over(
    telegram: FakeTelegram, agents_group: int, offline_env: dict[str, str], offline_gateway: GatewayProcess
) -> None:
    wang, li = new_user_id(), new_user_id()
    telegram.chats[agents_group].members.update({wang: "member", li: "administrator"})
    as_wang, as_li = user(wang, "小王"), user(li, "小李")
    applicant = new_user_id()
    case = escalate(offline_env, applicant)
    card = card_of(telegram, agents_group, case)
    assert card["text"].endswith(texts.CARD_STATUS_OPEN)
    assert buttons(card["reply_markup"]) == [texts.BUTTON_CLAIM, texts.BUTTON_RESOLVE]

    # Both at once: 小王 types /claim, 小李 presses 接手.
    telegram.send_text(agents_group, "/claim", sender=as_wang, reply_to=card["message_id"])
    telegram.press_button(agents_group, card["message_id"], f"desk:claim:{case}", sender=as_li)
    telegram.wait_for(lambda: telegram.calls_to("answerCallbackQuery"), what="the button's answer")
    time.sleep(1.5)  # a second "person joined" would arrive now
    assert telegram.texts(applicant) == [texts.AGENT_CLAIMED]  # told once
    owner = escalation(offline_env, case)
    winner, loser = ("小王", "小李") if owner.claimed_by == wang else ("小李", "小王")
    assert owner.claimed_by_name == winner
    refusal = texts.ALREADY_CLAIMED.format(id=case, agent=winner)
    assert refusal in telegram.texts(agents_group) or any(
        c.params.get("text") == refusal for c in telegram.calls_to("answerCallbackQuery")
    ), f"{loser} was not told who holds #{case}"
    edited_text, edited_markup = telegram.wait_for(
        lambda: (now := telegram.current(agents_group, card["message_id"]))[0] != card["text"] and now,
        what="the card to show its owner",
    )
    assert edited_text.endswith(texts.CARD_STATUS_CLAIMED.format(agent=winner))
    assert buttons(edited_markup) == [texts.BUTTON_TAKEOVER, texts.BUTTON_RESOLVE]

    # The loser takes it over explicitly: both are named in the thread, the applicant hears nothing new.
    loser_user = as_li if loser == "小李" else as_wang
    telegram.send_text(agents_group, f"/takeover {case}", sender=loser_user)
    group_text(
        telegram, agents_group, re.escape(texts.TAKEN_OVER.format(id=case, agent=loser, previous=winner))
    )
    assert escalation(offline_env, case).claimed_by_name == loser
    telegram.wait_for(
        lambda: telegram.current(agents_group, card["message_id"])[0].endswith(
            texts.CARD_STATUS_CLAIMED.format(agent=loser)
        ),
        what="the card to show the new owner",
    )
    telegram.send_text(agents_group, "/mine", sender=loser_user)
    mine = group_text(telegram, agents_group, r"^你（")
    assert f"#{case} · 等待 " in mine and "RZ202611200001" in mine

    # 结束 on the card ends it: the applicant is told, the card loses its buttons.
    telegram.press_button(agents_group, card["message_id"], f"desk:resolve:{case}", sender=loser_user)
    assert telegram.wait_for_texts(applicant, 2) == [texts.AGENT_CLAIMED, texts.HANDOFF_RESOLVED]
    _, final_markup = telegram.wait_for(
        lambda: (
            (now := telegram.current(agents_group, card["message_id"]))[0].endswith(
                texts.CARD_STATUS_RESOLVED
            )
            and now
        ),
        what="the card to show the case ended",
    )
    assert buttons(final_markup) == []
    assert "Traceback" not in offline_gateway.log()


def test_assign_to_a_member_and_bad_arguments_get_a_chinese_answer(
    telegram: FakeTelegram, agents_group: int, offline_env: dict[str, str], offline_gateway: GatewayProcess
) -> None:
    wang, li = new_user_id(), new_user_id()
    telegram.chats[agents_group].members.update({wang: "member", li: "member"})
    as_wang, as_li = user(wang, "小王", username="xiaowang"), user(li, "小李")
    applicant = new_user_id()
    case = escalate(offline_env, applicant)
    card_of(telegram, agents_group, case)

    for typed, expected in [
        ("/claim ²", texts.BAD_ARGUMENT.format(argument="²", command="claim")),  # crashed the gateway once
        ("/claim abc", texts.BAD_ARGUMENT.format(argument="abc", command="claim")),
        ("/resolve 12 abc", texts.BAD_ARGUMENT.format(argument="12 abc", command="resolve")),
        ("/open x", texts.BAD_PAGE.format(argument="x")),
        ("/claim 99999999", texts.NOT_ACTIVE.format(id=99999999)),
        (f"/assign {case} @nobody_here", texts.ASSIGN_WHO),
        ("/assign @nobody_here", texts.WHICH_ESCALATION.format(example="/assign 12 @用户名")),
        ("/resolve 5-2", texts.BAD_CASE_NUMBER.format(argument="5-2", command="resolve", most=200)),
        ("/claim " + "9" * 23, texts.BAD_CASE_NUMBER.format(argument="9" * 23, command="claim", most=200)),
    ]:
        telegram.send_text(agents_group, typed, sender=as_li)
        group_text(telegram, agents_group, "^" + re.escape(expected) + "$")

    telegram.send_text(agents_group, "/mine", sender=as_wang)  # 小王 is seen with his @username
    group_text(telegram, agents_group, re.escape(texts.MINE_NONE))
    telegram.send_text(agents_group, f"/assign {case} @xiaowang", sender=as_li)  # he is mentioned (notified)
    group_text(
        telegram,
        agents_group,
        re.escape(texts.ASSIGNED.format(id=case, by="小李", agent="小王（@xiaowang）")),
    )
    assert telegram.wait_for_texts(applicant, 1) == [texts.AGENT_CLAIMED]
    assigned = escalation(offline_env, case)
    assert (assigned.claimed_by, assigned.claimed_by_name) == (wang, "小王")
    assert "Traceback" not in offline_gateway.log()
    assert escalation(offline_env, case).status == "claimed"  # none of the bad commands touched it


def test_every_agent_message_reaches_the_applicant_or_gets_a_notice(
    telegram: FakeTelegram, agents_group: int, offline_env: dict[str, str], offline_gateway: GatewayProcess
) -> None:
    as_wang, applicant, case, card = staffed_case(telegram, agents_group, offline_env, "小王")
    as_li = user(new_user_id(), "小李")
    telegram.chats[agents_group].members[as_li["id"]] = "member"

    first = telegram.send_text(agents_group, "您好，我来看看", sender=as_wang, reply_to=card["message_id"])
    assert telegram.wait_for_texts(applicant, 1)[-1] == AGENT_REPLY_PREFIX + "您好，我来看看"
    # A colleague answers 小王's message (not the bot's): it belongs to the same case.
    telegram.send_text(
        agents_group,
        "补充：营业执照要彩色的",
        sender=as_li,
        reply_to=telegram.message_ids[first],
        reply_to_sender=as_wang,
    )
    assert telegram.wait_for_texts(applicant, 2)[-1] == AGENT_REPLY_PREFIX + "补充：营业执照要彩色的"
    # An anonymous admin writes as the group.
    telegram.send_text(agents_group, "管理员补充一句", reply_to=card["message_id"], anonymous=True)
    assert telegram.wait_for_texts(applicant, 3)[-1] == AGENT_REPLY_PREFIX + "管理员补充一句"

    # An internal note in the thread stays in the group.
    telegram.send_text(agents_group, "// 这位申请人上周也来过", sender=as_li, reply_to=card["message_id"])
    # A reply to the /open list reaches nobody: the agent is told at once.
    telegram.send_text(agents_group, "/open", sender=as_wang)
    listing = telegram.wait_for(
        lambda: next(
            (m for m in telegram.sent(agents_group) if m["text"].startswith("未结束的转人工")), None
        ),
        what="the list",
    )
    telegram.send_text(agents_group, "这个我来", sender=as_wang, reply_to=listing["message_id"])
    group_text(telegram, agents_group, re.escape(texts.NOT_RELAYED_REPLY_TO_BOT))
    assert len(telegram.texts(applicant)) == 3

    # 5,000 characters (emoji count twice in UTF-16) reach the applicant in parts, each with its prefix.
    long_reply = "请按以下步骤操作😀" * 500 + "好" * 500
    telegram.send_text(agents_group, long_reply, sender=as_wang, reply_to=card["message_id"])
    parts = telegram.wait_for_texts(applicant, 5)[3:]
    assert all(p.startswith(AGENT_REPLY_PREFIX) and utf16_length(p) <= TELEGRAM_TEXT_LIMIT for p in parts)
    assert "".join(p.removeprefix(AGENT_REPLY_PREFIX) for p in parts) == long_reply

    # The applicant's 4,095 characters reach the agents the same way.
    long_question = "营" * 4095
    telegram.send_text(applicant, long_question)
    prefix = texts.APPLICANT_SAYS.format(id=case, text="")
    relayed = telegram.wait_for(
        lambda: (
            (found := [t for t in telegram.texts(agents_group) if t.startswith(prefix)])
            and sum(len(t.removeprefix(prefix)) for t in found) >= 4095
            and found
        ),
        what="the long question",
    )
    assert all(utf16_length(t) <= TELEGRAM_TEXT_LIMIT for t in relayed)
    assert "".join(t.removeprefix(prefix) for t in relayed) == long_question
    failed = [c for c in telegram.calls_to("sendMessage") if c.outcome != "ok"]
    assert failed == []  # nothing was refused as too long


def test_a_reply_to_a_card_telegram_accepted_a_moment_ago(
    telegram: FakeTelegram,
    agents_group: int,
    offline_env: dict[str, str],
    make_offline_gateway: Callable[..., GatewayProcess],
) -> None:
    """The agent answers the card while the gateway still waits for Telegram's answer to sending it."""
    agent = new_user_id()
    telegram.chats[agents_group].members[agent] = "member"
    telegram.fail("sendMessage", "slow", chat_id=agents_group, retry_after=3)
    applicant = new_user_id()
    case = escalate(offline_env, applicant)
    make_offline_gateway().start()
    card = card_of(telegram, agents_group, case)
    telegram.send_text(agents_group, "马上处理", sender=user(agent, "小王"), reply_to=card["message_id"])
    assert telegram.wait_for_texts(applicant, 1) == [AGENT_REPLY_PREFIX + "马上处理"]


def test_open_lists_the_longest_waiting_first_a_page_at_a_time(
    telegram: FakeTelegram, agents_group: int, offline_env: dict[str, str], offline_gateway: GatewayProcess
) -> None:
    agent = new_user_id()
    telegram.chats[agents_group].members[agent] = "member"
    cases = [escalate(offline_env, new_user_id()) for _ in range(18)]
    telegram.send_text(agents_group, "/open", sender=user(agent))
    first = group_text(telegram, agents_group, r"^未结束的转人工（共 18 个")
    assert "第 1/2 页" in first and first.endswith(texts.OPEN_NEXT_PAGE.format(page=2))
    shown = [int(n) for n in re.findall(r"^#(\d+) · 等待 \d+ 分钟 · RZ202611200001 · ", first, re.MULTILINE)]
    assert shown == cases[:15]
    assert first.count("最后一条：转人工") == 15
    telegram.send_text(agents_group, "/open 2", sender=user(agent))
    second = group_text(telegram, agents_group, r"第 2/2 页")
    assert [int(n) for n in re.findall(r"^#(\d+) · ", second, re.MULTILINE)] == cases[15:]
    telegram.send_text(agents_group, "/open 3", sender=user(agent))
    group_text(telegram, agents_group, re.escape(texts.OPEN_NO_SUCH_PAGE.format(pages=2)))


def test_applicants_words_go_before_waiting_cards(
    telegram: FakeTelegram,
    agents_group: int,
    offline_env: dict[str, str],
    make_offline_gateway: Callable[..., GatewayProcess],
    fake_rasa: FakeRasa,
) -> None:
    applicants = [new_user_id() for _ in range(8)]
    cases = [escalate(offline_env, applicant) for applicant in applicants]
    # The group is busy (Telegram says "retry after 1 s" to every send) until the applicant has spoken.
    telegram.fail("sendMessage", "retry_after", chat_id=agents_group, retry_after=1, times=None)
    make_offline_gateway(AGENT_CARDS_PER_MINUTE="20").start()
    telegram.wait_for(lambda: telegram.calls_to("sendMessage"), what="the first card to be tried")
    telegram.send_text(applicants[-1], "还在吗？")  # the newest case: its card is queued last
    telegram.wait_for(
        lambda: any(r["message"] == "还在吗？" for r in fake_rasa.received), what="the relay to be queued"
    )
    telegram.clear_failures()
    said = texts.APPLICANT_SAYS.format(id=cases[-1], text="还在吗？")
    sent = telegram.wait_for(lambda: said in (now := telegram.texts(agents_group)) and now, what="the relay")
    # Its card is pulled forward (the thread starts with it), then the relay; the other cards wait.
    assert sent.index(said) == 1, sent
    assert sent[0].startswith(f"🆘 转人工 #{cases[-1]}\n")
    assert len(telegram.wait_for_texts(agents_group, 9)) == 9  # every card still arrives


def test_an_unclaimed_case_is_reminded_once(
    telegram: FakeTelegram,
    agents_group: int,
    offline_env: dict[str, str],
    make_offline_gateway: Callable[..., GatewayProcess],
) -> None:
    waiting, taken = escalate(offline_env, new_user_id()), escalate(offline_env, new_user_id())
    in_database(offline_env, lambda s: escalation_queries.claim_escalation(s, taken, 1, "小王"))
    make_offline_gateway(AGENT_REMINDER_MINUTES="0.02").start()  # 1.2 s
    card = card_of(telegram, agents_group, waiting)
    reminder = telegram.wait_for(
        lambda: next((m for m in telegram.sent(agents_group) if m["text"].startswith("⏰")), None),
        what="the reminder",
    )
    assert reminder["text"].startswith(f"⏰ #{waiting} 已等待 ") and f"/claim {waiting}" in reminder["text"]
    assert reminder["reply_parameters"]["message_id"] == card["message_id"]  # in the case's thread
    time.sleep(3)
    assert [t for t in telegram.texts(agents_group) if t.startswith("⏰")] == [reminder["text"]]


def test_a_forum_topic_carries_the_status_and_is_closed_when_the_case_ends(
    telegram: FakeTelegram,
    agents_group: int,
    offline_env: dict[str, str],
    make_offline_gateway: Callable[..., GatewayProcess],
) -> None:
    agent = new_user_id()
    telegram.add_chat(agents_group, title="客服群", is_forum=True, members={agent: "administrator"})
    applicant = new_user_id()
    case = escalate(offline_env, applicant)
    make_offline_gateway().start()
    card = card_of(telegram, agents_group, case)
    topic_id = card["message_thread_id"]
    assert telegram.topics[topic_id]["name"].startswith(f"#{case} ⏳待接手 · 张三 id {applicant}")

    # Someone closed the topic while the case is still open: the applicant's next words reopen it.
    telegram.topics[topic_id]["closed"] = True
    telegram.send_text(applicant, "有人吗")
    said = texts.APPLICANT_SAYS.format(id=case, text="有人吗")
    relayed = telegram.wait_for(
        lambda: next((m for m in telegram.sent(agents_group) if m["text"] == said), None), what="the relay"
    )
    assert relayed["message_thread_id"] == topic_id and not telegram.topics[topic_id]["closed"]

    telegram.press_button(agents_group, card["message_id"], f"desk:claim:{case}", sender=user(agent, "小王"))
    telegram.wait_for(
        lambda: telegram.topics[topic_id]["name"].startswith(f"#{case} 👩‍💼小王 · "),
        what="the topic's new name",
    )
    telegram.send_text(agents_group, "/resolve", sender=user(agent, "小王"), thread_id=topic_id)
    telegram.wait_for(lambda: telegram.topics[topic_id]["closed"], what="the topic to be closed")
    assert telegram.topics[topic_id]["name"].startswith(f"#{case} ✅已结束 · ")
    resolved_notice = texts.RESOLVED_BY.format(id=case, agent="小王")
    [notice] = [m for m in telegram.sent(agents_group) if m["text"] == resolved_notice]
    assert notice["message_thread_id"] == topic_id  # said in the topic before it closed

    # An admin still writes in the closed topic: told outside it, and no topic is opened for it.
    telegram.send_text(agents_group, "还有一个问题", sender=user(agent, "小王"), thread_id=topic_id)
    moved = group_text(telegram, agents_group, re.escape(texts.NOT_RELAYED_RESOLVED.format(id=case)))
    assert moved and len(telegram.calls_to("createForumTopic")) == 1
    [outside] = [m for m in telegram.sent(agents_group) if m["text"] == moved]
    assert "message_thread_id" not in outside

    # The applicant's next case links this one.
    telegram.wait_for(lambda: texts.HANDOFF_RESOLVED in telegram.texts(applicant), what="the applicant told")
    again = escalate(offline_env, applicant)
    second = card_of(telegram, agents_group, again)
    assert f"该申请人上一次转人工：#{case}（" in second["text"] and "已结束）" in second["text"]


def test_a_reply_telegram_refuses_is_reported_to_the_agents(
    telegram: FakeTelegram, agents_group: int, offline_env: dict[str, str], offline_gateway: GatewayProcess
) -> None:
    agent, applicant, case, card = staffed_case(telegram, agents_group, offline_env)
    telegram.fail("sendMessage", "bad_request", chat_id=applicant)
    telegram.send_text(agents_group, "您好", sender=agent, reply_to=card["message_id"])
    notice = group_text(telegram, agents_group, re.escape(texts.REPLY_NOT_DELIVERED.format(id=case)))
    [posted] = [m for m in telegram.sent(agents_group) if m["text"] == notice]
    assert posted["reply_parameters"]["message_id"] == card["message_id"]  # in the case's thread


# --- a case's order, its end, and the group's calm (testers' findings) ---------------------------


def message_with(telegram: FakeTelegram, group: int, text: str) -> dict[str, Any]:
    """The group message with exactly this text (waited for)."""
    return telegram.wait_for(
        lambda: next((m for m in telegram.sent(group) if m["text"] == text), None), what=text
    )


def web_escalation(env: dict[str, str], conversation: str) -> int:
    """What the web channel writes: an escalation of a page's conversation."""

    def write(session: Session) -> int:
        return escalation_queries.open_escalation(
            session, sender_id=conversation, reason="asked", application_id=None, transcript=[]
        ).id

    return int(in_database(env, write))  # type: ignore[arg-type]


def test_an_applicants_first_words_reach_the_group_after_the_card_in_its_thread(
    telegram: FakeTelegram,
    agents_group: int,
    offline_env: dict[str, str],
    make_offline_gateway: Callable[..., GatewayProcess],
    fake_rasa: FakeRasa,
) -> None:
    make_offline_gateway().start()
    applicant = new_user_id()
    case = escalate(offline_env, applicant)  # the announcer lets it settle for 2 s first
    telegram.send_text(applicant, "你好，在吗")
    said = message_with(telegram, agents_group, texts.APPLICANT_SAYS.format(id=case, text="你好，在吗"))
    card = card_of(telegram, agents_group, case)
    assert card["message_id"] < said["message_id"]
    assert said["reply_parameters"]["message_id"] == card["message_id"]  # the card starts the thread
    assert "reply_parameters" not in card


def test_a_web_applicant_who_wrote_and_left_before_the_card_gets_an_ended_card_first(
    telegram: FakeTelegram,
    agents_group: int,
    offline_env: dict[str, str],
    make_offline_gateway: Callable[..., GatewayProcess],
) -> None:
    conversation = f"web:{new_user_id()}"
    case = web_escalation(offline_env, conversation)
    in_database(offline_env, lambda s: note_for_agents(s, conversation, "你好"))
    in_database(offline_env, lambda s: leave(s, conversation))  # 「返回机器人」 before any card
    make_offline_gateway().start()
    left = message_with(telegram, agents_group, texts.APPLICANT_LEFT.format(id=case))
    card = card_of(telegram, agents_group, case)
    said = message_with(telegram, agents_group, texts.APPLICANT_SAYS.format(id=case, text="你好"))
    assert card["message_id"] < said["message_id"] < left["message_id"]
    assert card["text"].endswith(texts.CARD_STATUS_RESOLVED) and not buttons(card.get("reply_markup"))


def test_an_applicant_who_left_without_a_word_before_the_card_is_named_with_the_reason(
    telegram: FakeTelegram,
    agents_group: int,
    offline_env: dict[str, str],
    make_offline_gateway: Callable[..., GatewayProcess],
) -> None:
    conversation = f"web:{new_user_id()}"
    case = web_escalation(offline_env, conversation)
    in_database(offline_env, lambda s: leave(s, conversation))
    make_offline_gateway().start()
    notice = group_text(telegram, agents_group, f"^#{case} 申请人点了「返回机器人」，在客服接手前")
    assert texts.REASONS["asked"] in notice and "网页" in notice
    time.sleep(3)
    assert not any(t.startswith(f"🆘 转人工 #{case}\n") for t in telegram.texts(agents_group))


def test_a_card_shows_the_case_ended_when_the_applicant_returns_to_the_bot(
    telegram: FakeTelegram,
    agents_group: int,
    offline_env: dict[str, str],
    make_offline_gateway: Callable[..., GatewayProcess],
) -> None:
    applicant = new_user_id()
    case = escalate(offline_env, applicant)
    make_offline_gateway().start()
    card = card_of(telegram, agents_group, case)
    assert buttons(card["reply_markup"]) == [texts.BUTTON_CLAIM, texts.BUTTON_RESOLVE]
    in_database(offline_env, lambda s: leave(s, f"tg:{applicant}"))  # what the Rasa channel does
    edit = telegram.wait_for(
        lambda: next((e for e in telegram.edits if e["message_id"] == card["message_id"]), None),
        what="the card's edit",
    )
    assert edit["text"].endswith(texts.CARD_STATUS_RESOLVED) and not buttons(edit.get("reply_markup"))
    message_with(telegram, agents_group, texts.APPLICANT_LEFT.format(id=case))


def test_bot_addressed_to_this_bot_returns_to_the_bot_instead_of_being_relayed(
    telegram: FakeTelegram,
    agents_group: int,
    offline_env: dict[str, str],
    make_offline_gateway: Callable[..., GatewayProcess],
    fake_rasa: FakeRasa,
) -> None:
    applicant = new_user_id()
    case = escalate(offline_env, applicant)
    make_offline_gateway().start()
    card_of(telegram, agents_group, case)
    telegram.send_text(applicant, f"/bot@{BOT_USERNAME.upper()}")
    telegram.wait_for(
        lambda: any(r["message"] == "/bot" for r in fake_rasa.received), what="/bot to reach Rasa"
    )
    time.sleep(2)
    assert not any(t.startswith(f"#{case} 申请人：") for t in telegram.texts(agents_group))


def test_many_unclaimed_cases_are_reminded_in_one_message(
    telegram: FakeTelegram,
    agents_group: int,
    offline_env: dict[str, str],
    make_offline_gateway: Callable[..., GatewayProcess],
) -> None:
    cases = [escalate(offline_env, new_user_id()) for _ in range(6)]
    make_offline_gateway(AGENT_REMINDER_MINUTES="0.02", AGENT_CARDS_PER_MINUTE="20").start()
    reminder = group_text(telegram, agents_group, "^⏰")
    assert reminder.startswith(texts.UNCLAIMED_REMINDER_HEADER.format(count=6))
    assert all(f"#{case} 已等待 " in reminder for case in cases)
    time.sleep(3)
    assert [t for t in telegram.texts(agents_group) if t.startswith("⏰")] == [reminder]


def test_a_button_of_an_ended_case_answers_with_a_popup_only(
    telegram: FakeTelegram, agents_group: int, offline_env: dict[str, str], offline_gateway: GatewayProcess
) -> None:
    agent, _, case, card = staffed_case(telegram, agents_group, offline_env)
    in_database(offline_env, lambda s: escalation_queries.resolve_escalation(s, case))
    posted = len(telegram.texts(agents_group))
    for action in ("claim", "resolve"):
        telegram.press_button(agents_group, card["message_id"], f"desk:{action}:{case}", sender=agent)
    answers = telegram.wait_for(
        lambda: at_least(2, [c.params.get("text") for c in telegram.calls_to("answerCallbackQuery")]),
        what="the popups",
    )
    assert answers == [texts.NOT_ACTIVE.format(id=case)] * 2
    time.sleep(2)
    assert telegram.texts(agents_group)[posted:] == []


def at_least(count: int, items: list[Any]) -> list[Any]:
    """`items` once there are `count` of them (for wait_for), else an empty list."""
    return items if len(items) >= count else []


def test_a_saved_reply_reaches_the_applicant_and_the_thread_shows_what_was_sent(
    telegram: FakeTelegram, agents_group: int, offline_env: dict[str, str], offline_gateway: GatewayProcess
) -> None:
    agent, applicant, case, card = staffed_case(telegram, agents_group, offline_env)
    names = SavedReplies().names()
    telegram.send_text(agents_group, "/reply", sender=agent, reply_to=card["message_id"])
    listing = group_text(telegram, agents_group, "^常用回复")
    assert all(name in listing for name in names) and "文件格式" in names
    telegram.send_text(agents_group, "/reply 格式", sender=agent, reply_to=card["message_id"])
    group_text(
        telegram,
        agents_group,
        re.escape(texts.SAVED_REPLY_UNKNOWN_CLOSE.format(name="格式", close="文件格式")),
    )

    telegram.send_text(agents_group, "/reply 文件格式", sender=agent, reply_to=card["message_id"])
    template = SavedReplies().text("文件格式")
    assert template and "JPG、PNG、PDF" in template
    assert telegram.wait_for_texts(applicant, 1) == [AGENT_REPLY_PREFIX + template]
    shown = message_with(
        telegram,
        agents_group,
        texts.SAVED_REPLY_SENT.format(
            id=case, agent="小王", name="文件格式", text=AGENT_REPLY_PREFIX + template
        ),
    )
    assert shown["reply_parameters"]["message_id"] == card["message_id"]  # in the case's thread
    assert escalation(offline_env, case).claimed_by_name == "小王"  # a saved reply counts as the first reply
    telegram.send_text(agents_group, f"/reply {case} 打款验证", sender=agent)  # by number, outside the thread
    assert telegram.wait_for_texts(applicant, 2)[-1] == AGENT_REPLY_PREFIX + (
        SavedReplies().text("打款验证") or ""
    )
    assert "Traceback" not in offline_gateway.log()


def rating_question(telegram: FakeTelegram, applicant: int, case: int) -> dict[str, Any]:
    """The satisfaction question the applicant got when `case` ended (waited for)."""
    return message_with(telegram, applicant, texts.RATING_QUESTION.format(id=case))


def test_a_silent_case_ends_by_itself_and_both_sides_hear_why(
    telegram: FakeTelegram,
    agents_group: int,
    offline_env: dict[str, str],
    make_offline_gateway: Callable[..., GatewayProcess],
    fake_rasa: FakeRasa,
) -> None:
    silence = 4.8  # AUTO_RESOLVE_MINUTES shortened to seconds
    make_offline_gateway(AUTO_RESOLVE_MINUTES=f"{silence / 60}").start()
    agent, applicant, case, card = staffed_case(telegram, agents_group, offline_env)
    telegram.send_text(agents_group, "请上传营业执照", sender=agent, reply_to=card["message_id"])
    telegram.wait_for_texts(applicant, 1)
    replied = time.monotonic()

    minutes = f"{silence / 60:g}"
    ended = telegram.wait_for_texts(applicant, 3, timeout=silence + 10)
    assert time.monotonic() - replied >= silence - 0.5  # counted from the agent's reply, not the card
    assert ended == [
        AGENT_REPLY_PREFIX + "请上传营业执照",
        texts.AUTO_RESOLVED_APPLICANT.format(minutes=minutes),
        texts.RATING_QUESTION.format(id=case),
    ]
    notice = message_with(telegram, agents_group, texts.AUTO_RESOLVED_AGENTS.format(id=case, minutes=minutes))
    assert notice["reply_parameters"]["message_id"] == card["message_id"]  # in the case's thread
    telegram.wait_for(
        lambda: telegram.current(agents_group, card["message_id"])[0].endswith(texts.CARD_STATUS_RESOLVED),
        what="the card to show the case ended",
    )
    telegram.wait_for(lambda: f"tg:{applicant}" in fake_rasa.resumed, what="the bot to take the chat back")
    done = escalation(offline_env, case)
    assert done.auto_resolved and done.resolved_by_name == "小王"  # credited to the owner


def test_applicants_rate_the_case_and_report_sums_up_each_agents_week(
    telegram: FakeTelegram, agents_group: int, offline_env: dict[str, str], offline_gateway: GatewayProcess
) -> None:
    wang, applicant_a, case_a, card_a = staffed_case(telegram, agents_group, offline_env, "小王")
    li, applicant_b, case_b, card_b = staffed_case(telegram, agents_group, offline_env, "小李")
    for agent, applicant, card in ((wang, applicant_a, card_a), (li, applicant_b, card_b)):
        telegram.send_text(agents_group, "您好", sender=agent, reply_to=card["message_id"])
        telegram.wait_for_texts(applicant, 1)
    telegram.send_text(applicant_a, "营业执照要彩色的吗")
    message_with(telegram, agents_group, texts.APPLICANT_SAYS.format(id=case_a, text="营业执照要彩色的吗"))
    telegram.send_text(agents_group, "/resolve", sender=wang, reply_to=card_a["message_id"])
    telegram.press_button(agents_group, card_b["message_id"], f"desk:resolve:{case_b}", sender=li)

    question = rating_question(telegram, applicant_a, case_a)
    assert buttons(question["reply_markup"]) == list(texts.RATING_LABELS.values())
    assert [b["callback_data"] for b in question["reply_markup"]["inline_keyboard"][0]] == [
        f"rate:{case_a}:{score}" for score in range(1, 6)
    ]
    rating_question(telegram, applicant_b, case_b)
    presses = [
        (applicant_a, question, f"rate:{case_a}:5", texts.RATING_THANKS),
        (applicant_a, question, f"rate:{case_a}:1", texts.RATING_ALREADY),  # the first answer stays
        (applicant_b, question, f"rate:{case_a}:1", texts.BUTTON_EXPIRED),  # not their case
        (
            applicant_b,
            rating_question(telegram, applicant_b, case_b),
            f"rate:{case_b}:2",
            texts.RATING_THANKS,
        ),
    ]
    telegram.wait_for(lambda: telegram.calls_to("answerCallbackQuery"), what="the 结束 button's answer")
    before = len(telegram.calls_to("answerCallbackQuery"))
    for number, (chat, message, data, answer) in enumerate(presses, start=before + 1):
        telegram.press_button(chat, message["message_id"], data)
        answers = telegram.wait_for(
            lambda n=number: at_least(
                n, [c.params.get("text") for c in telegram.calls_to("answerCallbackQuery")]
            ),
            what="the rating's answer",
        )
        assert answers[-1] == answer
    assert texts.HANDOFF_RESOLVED in telegram.texts(applicant_a)  # the question follows the usual goodbye

    telegram.send_text(agents_group, "/report", sender=wang)
    report = group_text(telegram, agents_group, "^客服周报")
    assert re.search(
        r"小王：结束 1 个 · 满意度 5\.0 分（1 个评价，4 分及以上 100%） · 首次回复中位数 \d+\.\d 分钟", report
    )
    assert re.search(r"小李：结束 1 个 · 满意度 2\.0 分（1 个评价，4 分及以上 0%） · 首次回复中位数", report)
    assert report.count("【") == 4  # the last four weeks, this one first
    telegram.send_text(agents_group, "/report 99", sender=wang)
    group_text(telegram, agents_group, re.escape(texts.BAD_WEEKS.format(argument="99")))

    # The applicant's next case shows how the last one went, the agent's words included.
    again = card_of(telegram, agents_group, escalate(offline_env, applicant_a))
    assert (
        "\n".join(
            [
                texts.PREVIOUS_TRANSCRIPT_HEADER,
                texts.TRANSCRIPT_AGENT.format(agent="小王", text="您好"),
                texts.TRANSCRIPT_APPLICANT.format(text="营业执照要彩色的吗"),
            ]
        )
        in again["text"]
    )


def test_photos_and_documents_go_both_ways_with_captions_within_the_guides_file_rules(
    telegram: FakeTelegram, agents_group: int, offline_env: dict[str, str], offline_gateway: GatewayProcess
) -> None:
    agent, applicant, case, card = staffed_case(telegram, agents_group, offline_env)
    telegram.send_photo(applicant, caption="营业执照照片，请看看是否清晰", file_size=2_400_000)
    [photo] = telegram.wait_for(lambda: telegram.copies(agents_group), what="the photo in the thread")
    assert photo["caption"] == texts.APPLICANT_MEDIA_CAPTION.format(
        id=case, caption="营业执照照片，请看看是否清晰"
    )
    assert photo["from_chat_id"] == applicant and "photo" in photo["copied"]
    assert photo["reply_parameters"]["message_id"] == card["message_id"]  # in the case's thread

    # Outside the guide's rules: refused at once, in Chinese; the agents never get it.
    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    telegram.send_document(
        applicant, file_name="执照.docx", mime_type=word, file_size=20_000, caption="看这个"
    )
    assert telegram.wait_for_texts(applicant, 1) == [texts.FILE_WRONG_FORMAT]
    telegram.send_document(
        applicant, file_name="执照.pdf", mime_type="application/pdf", file_size=6 * 1024 * 1024
    )
    assert telegram.wait_for_texts(applicant, 2)[-1] == texts.FILE_TOO_LARGE.format(size="6", most=5)
    telegram.send_document(applicant, file_name="开户许可证.PDF", mime_type=None, file_size=5 * 1024 * 1024)
    copies = telegram.wait_for(lambda: at_least(2, telegram.copies(agents_group)), what="the PDF")
    assert len(copies) == 2 and copies[1]["copied"]["document"]["file_name"] == "开户许可证.PDF"
    assert copies[1]["caption"] == texts.APPLICANT_MEDIA_NO_CAPTION.format(id=case)

    # The agent answers with a picture in the thread: the applicant gets a copy with the caption.
    telegram.send_photo(agents_group, sender=agent, caption="请按这张示例拍摄", reply_to=card["message_id"])
    [sample] = telegram.wait_for(lambda: telegram.copies(applicant), what="the agent's photo")
    assert (
        sample["caption"] == AGENT_REPLY_PREFIX + "请按这张示例拍摄"
        and sample["from_chat_id"] == agents_group
    )
    assert "photo" in sample["copied"] and escalation(offline_env, case).claimed_by_name == "小王"
    assert len(telegram.texts(applicant)) == 2  # nothing else was said to the applicant
    assert "Traceback" not in offline_gateway.log()


def test_an_edit_is_never_handled_again_and_both_sides_are_told(
    telegram: FakeTelegram, agents_group: int, offline_env: dict[str, str], offline_gateway: GatewayProcess
) -> None:
    agent, applicant, _case, card = staffed_case(telegram, agents_group, offline_env)
    update = telegram.send_text(agents_group, "/reply 文件格式", sender=agent, reply_to=card["message_id"])
    assert len(telegram.wait_for_texts(applicant, 1)) == 1
    telegram.edit_text(
        agents_group,
        telegram.message_ids[update],
        "/reply 打款验证",
        sender=agent,
        reply_to=card["message_id"],
    )
    told = message_with(telegram, agents_group, texts.AGENT_EDIT_NOT_SENT)
    assert told["reply_parameters"]["message_id"] == card["message_id"]  # in the case's thread
    assert len(telegram.texts(applicant)) == 1  # the edited command did not run again

    mine = telegram.send_text(applicant, "我的编号是 RZ202611200001")
    relayed = group_text(telegram, agents_group, "RZ202611200001")
    telegram.edit_text(applicant, telegram.message_ids[mine], "我的编号是 RZ202611180002")
    assert telegram.wait_for_texts(applicant, 2)[-1] == texts.EDIT_NOT_READ
    assert relayed and "RZ202611180002" not in "\n".join(telegram.texts(agents_group))
