"""The CETS chatbot: a channel-neutral conversation core with channel adapters."""
