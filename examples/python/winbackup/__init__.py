"""winbackup: Python bindings for libwinbackup.so, the Linux emulation of Windows' Ntdsbcli.dll
(Active Directory backup and restore, winbackup.ntds) and Certadm.dll (Certificate Services,
winbackup.certsrv).

    import winbackup
    winbackup.servers.create("DC01", db_size="2M", logs=2)
    with winbackup.ntds.backup("DC01") as b:
        for f in b.databases():           # every database before the log list
            b.copy(f, to="/backups/dc01")
        for f in b.logs():
            b.copy(f, to="/backups/dc01")
        b.truncate_logs()
    winbackup.servers.create("DC02", offline=True)     # a rebuilt DC, in restore mode
    winbackup.ntds.restore_folder("/backups/dc01", "DC02", token=b.expiry_token, start=True)

A certification authority: a full backup, then incremental ones, restored onto a second CA:

    winbackup.servers.create("CA01", role="certsrv", db_size="2M", logs=2)
    winbackup.certsrv.backup_folder("CA01", "/backups/ca-full")                   # truncates the logs
    winbackup.servers.write("CA01", 20)
    winbackup.certsrv.backup_folder("CA01", "/backups/ca-inc1", incremental=True)
    winbackup.servers.create("CA02", role="certsrv", ca_name="CA01-CA", offline=True)
    winbackup.certsrv.restore_set(["/backups/ca-full", "/backups/ca-inc1"], "CA02", start=True)

A restore step by step: winbackup.ntds.restore (a context manager over DsRestorePrepare ...
DsRestoreEnd), winbackup.certsrv.restore for a CA. The library is found through $WINBACKUP_LIB,
else the repo's build outputs, else "libwinbackup.so" on the loader path (see winbackup._lib).
Errors raise HResultError.
"""

from . import certsrv, errors, ntds, servers
from ._lib import LibraryNotFoundError, library_path
from .errors import HResultError

__all__ = ["HResultError", "LibraryNotFoundError", "certsrv", "errors", "library_path", "ntds", "servers"]
