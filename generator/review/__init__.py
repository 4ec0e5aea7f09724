"""Review tooling: the files a contributor starts from, and the report a reviewer reads.

fields.py      what the schema says about each field (titles, resolved subschemas)
skeleton.py    a new, blank programme description derived from the schema (`mqcat new`)
revisions.py   one revision of the catalogue, read from git (plumbing only) or the working tree
compare.py     two revisions compared entry by entry, with the review rules of a changed entry
diff.py        the review of a change as a whole (`mqcat diff`): reviewers, maintainers, decisions
report.py      that comparison as a Markdown review report and as CI annotations
codeowners.py  .github/CODEOWNERS generated from the sector registry (`mqcat codeowners`)
"""
