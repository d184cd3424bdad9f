#!/usr/bin/env bash
# Lay out nbgrader's shared-folder exchange so that learners stay apart (run as root, once per
# course; safe to re-run). Usage: setup-exchange.sh EXCHANGE_ROOT COURSE_ID INSTRUCTOR
#
#   EXCHANGE_ROOT             1777 root:root  anyone may add a course folder, nobody may rename
#                                             or delete another's (sticky bit, like /tmp)
#   EXCHANGE_ROOT/COURSE_ID   0755 INSTRUCTOR the course: only the instructor changes it
#     outbound/               0755 INSTRUCTOR released assignments: learners read, never write
#     inbound/                3733 INSTRUCTOR submissions: learners add, but cannot list, read,
#                                             rename or delete anything in it (no r bit, sticky)
#     feedback/               0711 INSTRUCTOR feedback: learners fetch their own file by its
#                                             secret name, cannot list the others
set -euo pipefail
if [ $# -ne 3 ]; then
    echo "usage: $0 EXCHANGE_ROOT COURSE_ID INSTRUCTOR" >&2
    exit 2
fi
root=$1 course=$2 instructor=$3
if ! id -u "$instructor" >/dev/null 2>&1; then
    echo "$0: no account '$instructor' (create the instructor's account first)" >&2
    exit 1
fi
install -d -o root -g root -m 1777 "$root"
chmod 1777 "$root"
install -d -o "$instructor" -m 0755 "$root/$course" "$root/$course/outbound"
install -d -o "$instructor" -m 0711 "$root/$course/feedback"
install -d -o "$instructor" -m 0733 "$root/$course/inbound"
chown "$instructor" "$root/$course" "$root/$course/outbound" "$root/$course/feedback" "$root/$course/inbound"
chmod 0755 "$root/$course" "$root/$course/outbound"
chmod 0711 "$root/$course/feedback"
chmod 3733 "$root/$course/inbound"
echo "exchange ready: $root/$course (owner $instructor)"
