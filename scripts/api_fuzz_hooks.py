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
