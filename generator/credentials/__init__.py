"""Signed credentials, with the catalogue as the registry of trusted issuers.

    keys.py          issuers' keys: checking registered JWKs, generating and reading key files
    registry.py      what the site publishes for verifiers: did:web documents, JWKS, issuer records
    status_lists.py  revocation: the catalogue's status-list files and W3C Bitstring Status Lists
    signing.py       an OB 3.0 AchievementCredential signed as a VC-JWT
    verification.py  every check a verifier makes, check by check, against the published registry

The JOSE work (keys, signatures, thumbprints) is done by joserfc; nothing here
implements cryptography. The site's /verify/ page makes the same checks in the
browser with Web Crypto, reading the same published documents.
"""
