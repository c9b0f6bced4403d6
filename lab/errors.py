"""The one exception that crosses layers on purpose: bad input from the user, with the fix in the text."""


class UserError(Exception):
    """Bad input or environment. The CLI prints the message as one line and exits non-zero.

    Write the message as: what is wrong, then how to fix it.
    """
