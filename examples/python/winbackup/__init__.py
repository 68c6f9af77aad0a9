"""winbackup: Python bindings for libwinbackup.so, the Linux emulation of Windows' Ntdsbcli.dll
(Active Directory backup and restore, winbackup.ntds), Certadm.dll (Certificate Services,
winbackup.certsrv) and ESENT's external backup and restore API (Jet*, winbackup.esent).

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
Errors raise HResultError; the Jet* functions of winbackup.esent raise JetError (a JET_ERR):

    with winbackup.esent.Instance("ESE01") as inst:
        inst.init()
        with inst.external_backup() as b:
            for f in b.attach_info():         # the databases before the log list
                b.copy(f, to="/backups/ese01")
            for f in b.log_info():
                b.copy(f, to="/backups/ese01")
            b.truncate()
"""

from . import certsrv, errors, esent, ntds, servers
from ._lib import LibraryNotFoundError, library_path
from .errors import HResultError, JetError

__all__ = ["HResultError", "JetError", "LibraryNotFoundError", "certsrv", "errors", "esent", "library_path", "ntds",
           "servers"]
