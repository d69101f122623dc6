# Shared by tests/pipeline/progress_tty*.sh (sourced, after setting
# name): skips (exit 77) without util-linux script(1), and defines
#   fail MSG          print "name: MSG" and exit 1
#   on_tty FILE CMD   run CMD with stdin, stdout and stderr on a pty; the
#                     terminal's text goes to FILE (CRs kept)
#   has FILE TEXT / hasnt FILE TEXT
#                     FILE holds TEXT / does not, else show it and fail
if ! command -v script >/dev/null 2>&1 ||
    ! script -qefc true /dev/null >/dev/null 2>&1 </dev/null; then
	echo "skip: util-linux script(1) not found" >&2
	exit 77
fi
SHELL=/bin/sh
export SHELL

fail() { echo "$name: $*" >&2; exit 1; }
on_tty() { out=$1; shift; script -qefc "$*" /dev/null >"$out" </dev/null; }
has() { grep -q -- "$2" "$1" || { echo "--- $1"; tr '\r' '\n' <"$1"; fail "no '$2' in $1"; }; }
hasnt() { ! grep -q -- "$2" "$1" || { echo "--- $1"; tr '\r' '\n' <"$1"; fail "'$2' in $1"; }; }
