"""Where forms are found by id: handler modules (and tests) register theirs here."""

from __future__ import annotations

from bot.forms.model import Form


class FormRegistry:
    """Forms by id. Registering needs no change to the core or the routing table."""

    def __init__(self) -> None:
        self._forms: dict[str, Form] = {}

    def register(self, form: Form) -> Form:
        """Add ``form`` (a form with the same id is replaced, e.g. by a test)."""
        self._forms[form.id] = form
        return form

    def unregister(self, form_id: str) -> None:
        """Remove a form (tests)."""
        self._forms.pop(form_id, None)

    def get(self, form_id: str) -> Form | None:
        """The form with this id, if registered."""
        return self._forms.get(form_id)

    def __contains__(self, form_id: object) -> bool:
        return form_id in self._forms


FORMS = FormRegistry()
"""The bot's forms."""
