"""Test helpers shared by several test modules (servers, REST client)."""
