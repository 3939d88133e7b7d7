"""The grading container's side of crbench's agent: INGInious's run_student, over files.

INGInious's grader calls `run_student`, which asks the agent over a socket for a student
container, waits for it, and gets its exit code (the output comes over a second socket).
crbench, which plays the agent, serves the same request through two files of /sockets, the
folder both sides share:

  grader   writes /sockets/student-N.request (JSON {"argv": [...]}), atomically: a .tmp
           file renamed into place
  crbench  sees it (inotify on the host), creates the student container with /task/student
           shared, runs argv in it, removes it (kill + remove), then writes
           /sockets/student-N.answer (JSON {"retval", "stdout", "stderr"}), atomically too
  grader   polls for the answer every millisecond and returns it

Files rather than a unix socket: a socket made on the host cannot be connected to from
inside gVisor's sandbox without extra runsc flags, a file works the same in every runtime.
retval 254 means crbench could not run the student container (INGInious's own code for it).
"""
import json
import os
import time

SOCKETS = '/sockets'
POLL_S = 0.001
_calls = 0


def run_student(argv, timeout_s=300):
    """Runs argv in a fresh student container; returns {'retval', 'stdout', 'stderr'}."""
    global _calls
    index = _calls
    _calls += 1
    request = os.path.join(SOCKETS, 'student-%d.request' % index)
    answer = os.path.join(SOCKETS, 'student-%d.answer' % index)
    with open(request + '.tmp', 'w') as out:
        json.dump({'argv': list(argv)}, out)
    os.rename(request + '.tmp', request)
    deadline = time.monotonic() + timeout_s
    while not os.path.exists(answer):
        if time.monotonic() > deadline:
            raise TimeoutError('no answer from the agent within %d s' % timeout_s)
        time.sleep(POLL_S)
    with open(answer) as source:
        return json.load(source)
