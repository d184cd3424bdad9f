#!/usr/bin/env bash
# One Unix account per person, each home private (0700): nbgrader names a submission after the
# account that made it, and a private home keeps a learner's answers, submission secrets and
# feedback out of the other learners' reach. Run as root; safe to re-run (existing accounts are
# kept, their homes made private again). Usage: add-accounts.sh ROSTER.csv [INSTRUCTOR]
# ROSTER.csv is the file you give `nbgrader db student import` (an `id` column, one learner a
# row). Set HOME_BASE to put the homes somewhere other than /home.
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 ROSTER.csv [INSTRUCTOR]" >&2
    exit 2
fi
roster=$1 instructor=${2:-}
base=${HOME_BASE:-/home}
column=$(head -n1 "$roster" | tr -d '\r' | tr ',' '\n' | grep -n -x 'id' | cut -d: -f1 || true)
if [ -z "$column" ]; then
    echo "$roster:1: no 'id' column (the roster's first line names its columns, e.g. id,first_name)" >&2
    exit 1
fi
names=$(tail -n +2 "$roster" | tr -d '\r' | cut -d, -f"$column" | sed '/^$/d')
[ -n "$instructor" ] && names="$instructor"$'\n'"$names"
for name in $names; do
    if ! [[ "$name" =~ ^[a-z_][a-z0-9_-]{0,31}$ ]]; then
        echo "$roster: '$name' is not a valid account name (lower-case letters, digits, - and _)" >&2
        exit 1
    fi
    if ! id -u "$name" >/dev/null 2>&1; then
        useradd --create-home --base-dir "$base" --shell /bin/bash --user-group "$name"
        echo "added account $name"
    fi
    chmod 0700 "$(getent passwd "$name" | cut -d: -f6)"
done
