"""schemathesis hooks for scripts/api-fuzz.sh (loaded through SCHEMATHESIS_HOOKS).

POST /api/v1/split-jobs takes the PDF itself (application/pdf, a binary string); schemathesis has
no serializer for that media type and errored instead of sending anything. The bytes go as they
are, as for application/octet-stream; a generated string is sent as its UTF-8 bytes.
"""
import schemathesis


@schemathesis.serializer("application/pdf")
def pdf_serializer(ctx, value):
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return str(value).encode("utf-8")


# The rule every name, title and note on the server follows (InputRules.plainText, docs/server.md):
# no hidden character (control, format, line or paragraph separator, surrogate, or
# default-ignorable other than a variation selector: HiddenCharacters.isHidden) and no space at
# either end. JSON Schema has no way to say "no character of these Unicode categories" that both
# the validator and schemathesis read, so the schema cannot carry it; a schema-valid case that
# breaks it is refused with a 400 that names the field and the character, which the positive-data
# check would count as a valid request rejected. Such positive cases are not sent; negative cases
# are, and HiddenCharacterTests covers the rule itself.
import unicodedata

_DEFAULT_IGNORABLE = [
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
]
_VARIATION_SELECTORS = [(0x180B, 0x180D), (0x180F, 0x180F), (0xFE00, 0xFE0F), (0xE0100, 0xE01EF)]


def _within(code, ranges):
    return any(low <= code <= high for low, high in ranges)


def _hidden(character):
    if unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
        return True
    code = ord(character)
    return _within(code, _DEFAULT_IGNORABLE) and not _within(code, _VARIATION_SELECTORS)


def _breaks_text_rule(text):
    if any(_hidden(character) for character in text):
        return True
    edge = lambda character: character == "\t" or unicodedata.category(character) == "Zs"
    return bool(text) and (edge(text[0]) or edge(text[-1]))


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@schemathesis.hook
def filter_case(ctx, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return True
    if not isinstance(case.body, (dict, list)):
        return True
    return not any(_breaks_text_rule(text) for text in _strings(case.body))
