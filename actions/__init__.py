"""Thin rasa-sdk actions: read the tracker, call one function from bot/, reply (keep this folder flat)."""
