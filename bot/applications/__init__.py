"""The seller's journey: the application wizard's fields, its submission, decisions, renewals.

- :mod:`bot.applications.evidence`: evidence items (files, links, written answers) and parsing.
- :mod:`bot.applications.fields`: parsers of the wizard's other answers.
- :mod:`bot.applications.draft`: form answers to registry drafts and back (request-info, renewal).
- :mod:`bot.applications.submission`: submit through the backend outbox with idempotency keys.
- :mod:`bot.applications.notices`: what a decision, a reminder or a status looks like.
- :mod:`bot.applications.feed`: the one consumer of the registry's status feed.
- :mod:`bot.applications.schedule`: reminders due later (renewal, missing evidence).

The forms themselves live in :mod:`bot.handlers.application` and :mod:`bot.handlers.renewal`.
"""
