"""`python -m loadtests compare`: the side-by-side load comparison (loadtests/compare.py)."""

import sys

USAGE = "usage: python -m loadtests compare [options]   (python -m loadtests compare --help)"


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    if argv[0] == "compare":
        from loadtests import compare

        return compare.main(argv[1:])
    print(f"unknown command {argv[0]!r}\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
