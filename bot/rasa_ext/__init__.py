"""Adapters that plug the project into Rasa: tracker store, input channels."""
