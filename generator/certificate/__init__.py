"""Certificates for learners: the printed A4 certificate and the learner lists it is made from.

`render.render_certificate_html` draws one certificate (a specimen without a
learner); `learners.load_learners` reads and checks an issuer's learner list;
`pdf.write_pdf` turns a certificate page into PDF where WeasyPrint is installed.
The `mqcat certificate` command ties them together with the OB 3.0 credential
from `generator.interop.ob3`.
"""

from __future__ import annotations

from .learners import Learner, LearnerFileError, load_learners
from .render import certificate_url, render_certificate_html, render_certificate_page

__all__ = [
    "Learner",
    "LearnerFileError",
    "certificate_url",
    "load_learners",
    "render_certificate_html",
    "render_certificate_page",
]
