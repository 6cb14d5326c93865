"""Photos and documents in a handoff: the guide's file rules, and the copy an outbox row asks for.

An applicant's photo or document goes to the agents only when it keeps to the certification guide's
rules for materials (「文件格式支持JPG、PNG、PDF，大小不超过5MB」, data/facts.yml): a document must be a
JPG, PNG or PDF by its name's extension and by its MIME type alike (a name without an extension, or a
type the client left out or gave as application/octet-stream, leaves the other one to decide; a
`virus.exe` declared as application/pdf is refused), and no file may be over 5 MB (5 × 1024 × 1024
bytes as Telegram reports `file_size`; a photo is judged by its largest size). A document whose name
holds personal data (a 身份证号 or mobile, bot/privacy.py) is refused too: a copy keeps the name, and
agents must not read it; the applicant is asked to rename it. Telegram sends every photo as a JPEG.
Anything else — voice, stickers, videos — is not a file here.

A relayed file is copied (copyMessage: no download, the caption replaced by ours) rather than sent
again; its outbox row holds the source message and the caption as JSON in place of a text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from telegram import Message

from bot.gateway import texts
from bot.message_length import utf16_length
from bot.privacy import mask

ALLOWED_TYPES = {"image/jpeg": "JPG", "image/png": "PNG", "application/pdf": "PDF"}
ALLOWED_EXTENSIONS = {".jpg": "JPG", ".jpeg": "JPG", ".png": "PNG", ".pdf": "PDF"}
MAX_FILE_MB = 5
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024
CAPTION_LIMIT = 1024
"""Telegram's limit for a caption, in UTF-16 code units."""
APPLICANT_MEDIA = "relay_media_to_agents"
AGENT_MEDIA = "agent_media"
COPY_PURPOSES = (APPLICANT_MEDIA, AGENT_MEDIA)
"""Outbox purposes whose row is a copy of a message (its text is `copy_payload` JSON)."""


@dataclass(frozen=True)
class Attachment:
    """A photo or document someone sent: what the file rules look at, and its caption."""

    kind: str  # "photo" | "document"
    file_size: int | None
    file_format: str | None  # "JPG" / "PNG" / "PDF", or None for any other format
    caption: str
    name_has_personal_data: bool = False


def attachment_of(message: Message) -> Attachment | None:
    """The photo or document in `message`, or None when it holds neither."""
    caption = message.caption or ""
    if message.photo:
        largest = max(message.photo, key=lambda size: (size.file_size or 0, size.width * size.height))
        return Attachment("photo", largest.file_size, "JPG", caption)
    document = message.document
    if document is None:
        return None
    mime_type = (document.mime_type or "").strip().lower()
    by_type = None if mime_type in ("", "application/octet-stream") else ALLOWED_TYPES.get(mime_type, "")
    suffix = PurePosixPath(document.file_name or "").suffix.lower()
    by_name = ALLOWED_EXTENSIONS.get(suffix, "") if suffix else None
    known = {found for found in (by_type, by_name) if found is not None}
    file_format = known.pop() if len(known) == 1 and "" not in known else None  # both agree, or one speaks
    name = document.file_name or ""
    return Attachment("document", document.file_size, file_format, caption, mask(name) != name)


def problem(attachment: Attachment) -> str | None:
    """What the applicant is told when the file breaks the guide's rules (None when it keeps to them)."""
    if attachment.file_format is None:
        return texts.FILE_WRONG_FORMAT
    if attachment.file_size is not None and attachment.file_size > MAX_FILE_BYTES:
        hundredths = -(
            -attachment.file_size * 100 // (1024 * 1024)
        )  # rounded up: never "5MB" for 5MB + 1 byte
        size_mb = f"{hundredths / 100:.2f}".rstrip("0").rstrip(".")
        return texts.FILE_TOO_LARGE.format(size=size_mb, most=MAX_FILE_MB)
    if attachment.name_has_personal_data:
        return texts.FILE_NAME_PERSONAL
    return None


def fits_caption(caption: str) -> bool:
    """Whether `caption` fits Telegram's caption limit."""
    return utf16_length(caption) <= CAPTION_LIMIT


def copy_payload(from_chat_id: int, message_id: int, caption: str) -> str:
    """The outbox text of a copy: which message to copy, with which caption."""
    return json.dumps(
        {"from_chat_id": from_chat_id, "message_id": message_id, "caption": caption}, ensure_ascii=False
    )


def read_copy_payload(text: str) -> dict[str, Any]:
    """copyMessage's arguments from an outbox row's text (see copy_payload)."""
    payload = json.loads(text)
    return {
        "from_chat_id": int(payload["from_chat_id"]),
        "message_id": int(payload["message_id"]),
        "caption": str(payload.get("caption") or "") or None,
    }
