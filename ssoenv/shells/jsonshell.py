"""json: one object, each changed variable to its new value or null for unset."""

from ssoenv.shells.base import Shell, is_variable_name


class Json(Shell):
    name = "json"

    def render(self, changes: dict) -> str:
        import json

        # Whoever reads it may write the names into a shell as they are.
        named = {n: v for n, v in changes.items() if is_variable_name(n)}
        return json.dumps(named, sort_keys=True) + "\n"
