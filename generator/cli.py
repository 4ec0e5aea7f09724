"""The `mqcat` command line: a thin layer over the pipeline's modules.

Each sub-command lives in `generator/commands/<name>.py` with two functions:
`configure(parser)` adds its arguments and `run(args) -> int` does the work
and returns the exit status (0 fine, 1 problems found, 2 usage error).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# name -> one-line help; the module generator.commands.<name> implements it.
COMMANDS = {
    "validate": "check catalogue files against the schema and the catalogue rules",
    "build": "validate and build the public site with its open data",
    "serve": "preview the site locally, rebuilding when a catalogue file changes",
    "new": "start a new micro-qualification file with every field, ready to fill in",
    "diff": "compare two revisions of the catalogue and write the review report",
    "codeowners": "write .github/CODEOWNERS from the sector registry (or --check it)",
    "certificate": "write print-ready certificates and OB 3.0 credentials (signed with --sign) for a list of learners",
    "keygen": "create a key for signing credentials: the private key file, and the public block for the provider file",
    "verify": "check signed credentials against the catalogue: signature, key, provider, version, state, revocation",
    "approve": "record the sector council's approval of an entry (council members), in a commit of its own",
    "suspend": "record the sector council's decision to suspend an entry (council members)",
    "withdraw": "record the sector council's decision to withdraw an entry (council members)",
    "forms": "write the issue forms for providers without git from the schema and registries (or --check them)",
    "form-to-entry": "turn a submitted issue form into catalogue files, or report its problems per field",
}


def parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with `chosen`, only that command's module is imported.

    Each command's module imports the part of the pipeline it needs (the build imports
    MkDocs' neighbours, the certificates a JOSE library): importing all of them for one
    command cost about 0.8 s of CPU per run. The others are listed by name and help.
    """
    root = argparse.ArgumentParser(
        prog="mqcat",
        description="Catalogue of approved micro-qualifications: validate, review, build the site.",
    )
    sub = root.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, help_text in COMMANDS.items():
        if chosen is not None and name != chosen:
            sub.add_parser(name, help=help_text)
            continue
        module = importlib.import_module(f"generator.commands.{name.replace('-', '_')}")
        command = sub.add_parser(name, help=help_text, description=(module.__doc__ or help_text).strip())
        module.configure(command)
        command.set_defaults(run=module.run)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    # The command is the first argument (the root parser has no options but --help).
    chosen = arguments[0] if arguments and arguments[0] in COMMANDS else None
    args = parser(chosen).parse_args(arguments)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
