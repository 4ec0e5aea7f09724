"""Review tooling: the files a contributor starts from, and the report a reviewer reads.

fields.py      what the schema says about each field (titles, resolved subschemas)
skeleton.py    a new, blank programme description derived from the schema (`mqcat new`)
diff.py        two revisions of the catalogue compared entry by entry (`mqcat diff`)
report.py      that comparison as a Markdown review report and as CI annotations
codeowners.py  .github/CODEOWNERS generated from the sector registry (`mqcat codeowners`)
"""
