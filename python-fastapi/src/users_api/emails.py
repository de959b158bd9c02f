"""The e-mail policy of CONTRACT.md, decided by email-validator.

The Go service ports the same rules; the shared table
contract-tests/testdata/email_cases.json keeps the two in lockstep.
"""

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254


class InvalidEmail(ValueError):
    """The address breaks the e-mail policy."""


def normalize_email(address: str) -> str:
    """Return the form of ``address`` to store, or raise InvalidEmail.

    Only ASCII addresses are accepted, IDN A-labels (``xn--``) included: two
    IDNA 2008 implementations in two languages cannot be shown to agree on every
    input. The domain comes back lowercased; the local part keeps its case.
    """
    if len(address) > MAX_LENGTH or not address.isascii():
        raise InvalidEmail(address)

    try:
        info = validate_email(
            address,
            check_deliverability=False,
            allow_smtputf8=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
            allow_empty_local=False,
            globally_deliverable=True,
            test_environment=False,
            strict=True,
        )
    except EmailNotValidError as err:
        raise InvalidEmail(address) from err

    if any(label.startswith("xn--") for label in info.ascii_domain.split(".")):
        raise InvalidEmail(address)
    return info.normalized
