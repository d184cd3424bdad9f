#!/usr/bin/env bash
# Lay out nbgrader's shared-folder exchange so that learners stay apart (run as root, once per
# course; safe to re-run). Usage: setup-exchange.sh EXCHANGE_ROOT COURSE_ID INSTRUCTOR
#
#   EXCHANGE_ROOT             1777 root:root  anyone may add a course folder, nobody may rename
#                                             or delete another's (sticky bit, like /tmp)
#   EXCHANGE_ROOT/COURSE_ID   0755 INSTRUCTOR the course: only the instructor changes it
#     outbound/               0755 INSTRUCTOR released assignments: learners read, never write
#     inbound/                3733 INSTRUCTOR submissions: learners add, but cannot list, read,
#                                             rename or delete anything in it (no r bit, sticky);
#                                             setgid, so what they add carries the instructor's
#                                             group, the one group that may read a submission
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
group=$(id -gn "$instructor")
install -d -o root -g root -m 1777 "$root"
chmod 1777 "$root"
for folder in "$root/$course" "$root/$course/outbound" "$root/$course/feedback" "$root/$course/inbound"; do
    install -d -o "$instructor" -g "$group" -m 0700 "$folder"
    chown "$instructor:$group" "$folder"
done
chmod 0755 "$root/$course" "$root/$course/outbound"
chmod 0711 "$root/$course/feedback"
chmod 3733 "$root/$course/inbound"
echo "exchange ready: $root/$course (owner $instructor)"
