"""Team sync: httpx client, outbox, pull cursor, event stream, keyring credentials (later issue)."""
