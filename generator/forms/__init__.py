"""Issue forms for providers who do not use git, and turning a submitted form into catalogue files.

The pipeline of a proposal made through GitHub's issue forms:

    spec.py     which form element asks for which field of an entry or provider record,
                with labels, options and required-ness read from the schema, the
                registries and the interface tables (never typed out twice)
    render.py   the issue forms themselves (.github/ISSUE_TEMPLATE/*.yml), `mqcat forms`
    body.py     the Markdown GitHub writes for a submitted form, split into fields
    answers.py  each answer read according to its element's kind (number, choice, lines...)
    convert.py  the answers turned into an entry (and a provider) record, checked by the
                same loader, schema and rules as any catalogue file, and written
    findings.py what those checks found, explained per form field in Latvian and English
    serialize.py  the YAML serializer, in the catalogue files' style
    reply.py    the answer to the submitter: plain text, or the comment on the issue
"""
