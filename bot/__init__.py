"""DingTalk intermediate-certification support bot: everything that is not a Rasa adapter."""
