"""A real IMAP server for the inbox tests: Debian's dovecot (package dovecot-imapd), started on 127.0.0.1
on a free port with its own configuration, users, maildirs, state and log in a temporary directory.

    server = ImapServer.start()                 # installs dovecot-imapd via scripts/packages.sh if missing
    server.append(b"From: ...")                 # deliver a message with IMAP APPEND
    server.stop()

Dovecot refuses to run its processes as root. As root the whole instance runs as the system user
`dovecot` (created by the package), which owns the temporary directory; as any other user it runs as
that user (Dovecot's "rootless" set-up). Plaintext login is allowed: it only listens on 127.0.0.1.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from helpdesk_support import ROOT, free_port

USER = "helpdesk"
PASSWORD = "geheim-imap-1"
USERS = 100  # helpdesk, helpdesk1 … helpdesk100: one per test (new_user)
DOVECOT_PACKAGE = "/usr/lib/dovecot/imap:dovecot-imapd"

CONFIG = """\
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
info_log_path = {dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_login_user = {user}
default_internal_user = {user}
default_internal_group = {group}
first_valid_uid = 1
mail_location = maildir:{dir}/mail/%u
mail_plugins =
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={dir}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


def dovecot_binary() -> str:
    """The dovecot binary; installs Debian's dovecot-imapd (scripts/packages.sh) when it is missing."""
    subprocess.run(["bash", str(ROOT / "scripts" / "packages.sh"), DOVECOT_PACKAGE], check=True, timeout=600)
    found = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise RuntimeError("dovecot not found after installing dovecot-imapd")
    return found


@dataclass
class ImapServer:
    directory: Path
    port: int
    process: subprocess.Popen[bytes]
    user: str = USER
    password: str = PASSWORD
    users: int = 0

    own: bool = False

    @classmethod
    def start(cls, directory: Path | None = None, timeout: float = 20.0) -> ImapServer:
        """Start dovecot in `directory`, by default a new one under the system's temporary directory
        (removed in stop()). As root, the directory's parents must be open to the user `dovecot`: pytest's
        own temporary directories are not (and pytest closes their root again when a session starts)."""
        binary = dovecot_binary()
        own = directory is None
        directory = Path(tempfile.mkdtemp(prefix="registerwijzer-imap-")) if directory is None else directory
        directory.mkdir(parents=True, exist_ok=True)
        account = pwd.getpwnam("dovecot") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
        group = _group_name(account.pw_gid)
        port = free_port()
        for name in ("run", "state", "mail", "home"):
            (directory / name).mkdir(exist_ok=True)
        (directory / "passwd").write_text("".join(f"{USER}{n or ''}:{{PLAIN}}{PASSWORD}\n" for n in range(USERS + 1)),
                                          encoding="utf-8")
        (directory / "dovecot.conf").write_text(CONFIG.format(
            dir=directory, user=account.pw_name, group=group, uid=account.pw_uid, gid=account.pw_gid, port=port),
            encoding="utf-8")
        if os.geteuid() == 0:  # the instance runs as `dovecot`: it owns its directory
            for path in [directory, *directory.rglob("*")]:
                os.chown(path, account.pw_uid, account.pw_gid)
        log = open(directory / "stdout.log", "wb")  # noqa: SIM115 - closed in stop()
        kwargs: dict[str, object] = {}
        if os.geteuid() == 0:
            kwargs = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        process = subprocess.Popen([binary, "-F", "-c", str(directory / "dovecot.conf")], stdout=log,
                                   stderr=subprocess.STDOUT, **kwargs)  # type: ignore[call-overload]
        log.close()
        server = cls(directory, port, process, own=own)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"dovecot stopped at start:\n{server.log()}")
            try:
                with server.connect():
                    return server
            except (OSError, imaplib.IMAP4.error):
                time.sleep(0.1)
        server.stop()
        raise RuntimeError(f"dovecot did not answer on port {port} within {timeout:g} s:\n{server.log()}")

    def new_user(self) -> str:
        """Switch to the next user, with an empty mailbox of its own, so that one server serves many tests
        (all users are in the passwd file from the start). Returns the user name."""
        self.users += 1
        if self.users > USERS:
            raise RuntimeError(f"more than {USERS} users asked of one test IMAP server")
        self.user = f"{USER}{self.users}"
        return self.user

    def log(self) -> str:
        parts = []
        for name in ("stdout.log", "dovecot.log"):
            path = self.directory / name
            if path.exists():
                parts.append(path.read_text(encoding="utf-8", errors="replace")[-3000:])
        return "\n".join(parts)

    def connect(self) -> imaplib.IMAP4:
        """A logged-in IMAP connection (the caller logs out; usable as a context manager)."""
        connection = imaplib.IMAP4("127.0.0.1", self.port, timeout=5)
        try:
            connection.login(self.user, self.password)
        except BaseException:
            connection.shutdown()
            raise
        return connection

    def append(self, raw: bytes, mailbox: str = "INBOX") -> None:
        """Deliver one message (IMAP APPEND)."""
        with self.connect() as connection:
            status, data = connection.append(mailbox, None, None, raw)
            assert status == "OK", data

    def messages(self, mailbox: str = "INBOX") -> list[tuple[int, str]]:
        """(UID, flags) of every message in the mailbox; [] when the mailbox does not exist."""
        with self.connect() as connection:
            status, _ = connection.select(_quoted(mailbox), readonly=True)
            if status != "OK":
                return []
            status, data = connection.uid("FETCH", "1:*", "(UID FLAGS)")
            found = []
            for item in data:
                if not isinstance(item, bytes):
                    continue
                text = item.decode()
                uid = int(text.split("UID ", 1)[1].split()[0].rstrip(")"))
                flags = text.split("FLAGS (", 1)[1].split(")", 1)[0]
                found.append((uid, flags))
            return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.own:
            shutil.rmtree(self.directory, ignore_errors=True)


def _quoted(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


def wait_port_closed(port: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.05)
