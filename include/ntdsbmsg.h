/*
 * ntdsbmsg.h - the HRESULTs of the Active Directory backup and restore client (Ntdsbcli).
 *
 * Layout (winerror-style): severity in bits 30-31, facility in bits 16-27.
 *   - 0xC7FF....: errors of the backup client itself (FACILITY_BACKUP 0x7FF).
 *   - 0xC800....: an ESE error passed through: 0xC8000000 | -JET_err  (FACILITY_NTDSB 0x800).
 *   - 0x8800....: an ESE warning passed through: 0x88000000 | JET_wrn.
 * An ESE error that has no name here (JET_errBackupAbortByServer -801, say) still comes back in
 * the 0xC800.... form; winbackup.h lists the ones winbackup can return.
 * Values as in the Windows SDK and mingw-w64 headers.
 */
#ifndef _NTDSBMSG_
#define _NTDSBMSG_

#include "wbtypes.h"

#define FACILITY_SYSTEM 0x0
#define FACILITY_BACKUP 0x7FF
#define FACILITY_NTDSB 0x800

#define STATUS_SEVERITY_SUCCESS 0x0
#define STATUS_SEVERITY_INFORMATIONAL 0x1
#define STATUS_SEVERITY_WARNING 0x2
#define STATUS_SEVERITY_ERROR 0x3


/* Success, not yet implemented. */
#define hrNone                             ((HRESULT)0x00000000)
#define hrNyi                              ((HRESULT)0xC0000001)

/* Errors of the backup client (FACILITY_BACKUP). */
#define hrInvalidParam                     ((HRESULT)0xC7FF0001)
#define hrError                            ((HRESULT)0xC7FF0002)
#define hrInvalidHandle                    ((HRESULT)0xC7FF0003)
#define hrRestoreInProgress                ((HRESULT)0xC7FF0004)
#define hrAlreadyOpen                      ((HRESULT)0xC7FF0005)
#define hrInvalidRecips                    ((HRESULT)0xC7FF0006)
#define hrCouldNotConnect                  ((HRESULT)0xC7FF0007)
#define hrRestoreMapExists                 ((HRESULT)0xC7FF0008)
#define hrIncrementalBackupDisabled        ((HRESULT)0xC7FF0009)
#define hrLogFileNotFound                  ((HRESULT)0xC7FF000A)
#define hrCircularLogging                  ((HRESULT)0xC7FF000B)
#define hrNoFullRestore                    ((HRESULT)0xC7FF000C)
#define hrCommunicationError               ((HRESULT)0xC7FF000D)
#define hrFullBackupNotTaken               ((HRESULT)0xC7FF000E)
#define hrMissingExpiryToken               ((HRESULT)0xC7FF000F)
#define hrUnknownExpiryTokenFormat         ((HRESULT)0xC7FF0010)
#define hrContentsExpired                  ((HRESULT)0xC7FF0011)
#define hrAlreadyListening                 ((HRESULT)RPC_S_ALREADY_LISTENING)  /* 1713, a positive value */

/* ESE errors and warnings passed through (FACILITY_NTDSB); the JET code is in the comment. */
#define hrFileClose                        ((HRESULT)0xC8000066)  /* JET_err -102 */
#define hrOutOfThreads                     ((HRESULT)0xC8000067)  /* JET_err -103 */
#define hrTooManyIO                        ((HRESULT)0xC8000069)  /* JET_err -105 */
#define hrBFNotSynchronous                 ((HRESULT)0x880000C8)  /* JET_wrn 200 */
#define hrBFPageNotFound                   ((HRESULT)0x880000C9)  /* JET_wrn 201 */
#define hrBFInUse                          ((HRESULT)0xC80000CA)  /* JET_err -202 */
#define hrPMRecDeleted                     ((HRESULT)0xC800012E)  /* JET_err -302 */
#define hrRemainingVersions                ((HRESULT)0x88000141)  /* JET_wrn 321 */
#define hrFLDKeyTooBig                     ((HRESULT)0x88000190)  /* JET_wrn 400 */
#define hrFLDTooManySegments               ((HRESULT)0xC8000191)  /* JET_err -401 */
#define hrFLDNullKey                       ((HRESULT)0x88000192)  /* JET_wrn 402 */
#define hrLogFileCorrupt                   ((HRESULT)0xC80001F5)  /* JET_err -501 */
#define hrNoBackupDirectory                ((HRESULT)0xC80001F7)  /* JET_err -503 */
#define hrBackupDirectoryNotEmpty          ((HRESULT)0xC80001F8)  /* JET_err -504 */
#define hrBackupInProgress                 ((HRESULT)0xC80001F9)  /* JET_err -505 */
#define hrMissingPreviousLogFile           ((HRESULT)0xC80001FD)  /* JET_err -509 */
#define hrLogWriteFail                     ((HRESULT)0xC80001FE)  /* JET_err -510 */
#define hrBadLogVersion                    ((HRESULT)0xC8000202)  /* JET_err -514 */
#define hrInvalidLogSequence               ((HRESULT)0xC8000203)  /* JET_err -515 */
#define hrLoggingDisabled                  ((HRESULT)0xC8000204)  /* JET_err -516 */
#define hrLogBufferTooSmall                ((HRESULT)0xC8000205)  /* JET_err -517 */
#define hrLogSequenceEnd                   ((HRESULT)0xC8000207)  /* JET_err -519 */
#define hrNoBackup                         ((HRESULT)0xC8000208)  /* JET_err -520 */
#define hrInvalidBackupSequence            ((HRESULT)0xC8000209)  /* JET_err -521 */
#define hrBackupNotAllowedYet              ((HRESULT)0xC800020B)  /* JET_err -523 */
#define hrDeleteBackupFileFail             ((HRESULT)0xC800020C)  /* JET_err -524 */
#define hrMakeBackupDirectoryFail          ((HRESULT)0xC800020D)  /* JET_err -525 */
#define hrInvalidBackup                    ((HRESULT)0xC800020E)  /* JET_err -526 */
#define hrRecoveredWithErrors              ((HRESULT)0xC800020F)  /* JET_err -527 */
#define hrMissingLogFile                   ((HRESULT)0xC8000210)  /* JET_err -528 */
#define hrLogDiskFull                      ((HRESULT)0xC8000211)  /* JET_err -529 */
#define hrBadLogSignature                  ((HRESULT)0xC8000212)  /* JET_err -530 */
#define hrBadDbSignature                   ((HRESULT)0xC8000213)  /* JET_err -531 */
#define hrBadCheckpointSignature           ((HRESULT)0xC8000214)  /* JET_err -532 */
#define hrCheckpointCorrupt                ((HRESULT)0xC8000215)  /* JET_err -533 */
#define hrDatabaseInconsistent             ((HRESULT)0xC8000226)  /* JET_err -550 */
#define hrConsistentTimeMismatch           ((HRESULT)0xC8000227)  /* JET_err -551 */
#define hrPatchFileMismatch                ((HRESULT)0xC8000228)  /* JET_err -552 */
#define hrRestoreLogTooLow                 ((HRESULT)0xC8000229)  /* JET_err -553 */
#define hrRestoreLogTooHigh                ((HRESULT)0xC800022A)  /* JET_err -554 */
#define hrGivenLogFileHasBadSignature      ((HRESULT)0xC800022B)  /* JET_err -555 */
#define hrGivenLogFileIsNotContiguous      ((HRESULT)0xC800022C)  /* JET_err -556 */
#define hrMissingRestoreLogFiles           ((HRESULT)0xC800022D)  /* JET_err -557 */
#define hrExistingLogFileHasBadSignature   ((HRESULT)0x8800022E)  /* JET_wrn 558 */
#define hrExistingLogFileIsNotContiguous   ((HRESULT)0x8800022F)  /* JET_wrn 559 */
#define hrMissingFullBackup                ((HRESULT)0xC8000230)  /* JET_err -560 */
#define hrBadBackupDatabaseSize            ((HRESULT)0xC8000231)  /* JET_err -561 */
#define hrTermInProgress                   ((HRESULT)0xC80003E8)  /* JET_err -1000 */
#define hrFeatureNotAvailable              ((HRESULT)0xC80003E9)  /* JET_err -1001 */
#define hrInvalidName                      ((HRESULT)0xC80003EA)  /* JET_err -1002 */
#define hrInvalidParameter                 ((HRESULT)0xC80003EB)  /* JET_err -1003 */
#define hrColumnNull                       ((HRESULT)0x880003EC)  /* JET_wrn 1004 */
#define hrBufferTruncated                  ((HRESULT)0x880003EE)  /* JET_wrn 1006 */
#define hrDatabaseAttached                 ((HRESULT)0x880003EF)  /* JET_wrn 1007 */
#define hrInvalidDatabaseId                ((HRESULT)0xC80003F2)  /* JET_err -1010 */
#define hrOutOfMemory                      ((HRESULT)0xC80003F3)  /* JET_err -1011 */
#define hrOutOfDatabaseSpace               ((HRESULT)0xC80003F4)  /* JET_err -1012 */
#define hrOutOfCursors                     ((HRESULT)0xC80003F5)  /* JET_err -1013 */
#define hrOutOfBuffers                     ((HRESULT)0xC80003F6)  /* JET_err -1014 */
#define hrTooManyIndexes                   ((HRESULT)0xC80003F7)  /* JET_err -1015 */
#define hrTooManyKeys                      ((HRESULT)0xC80003F8)  /* JET_err -1016 */
#define hrRecordDeleted                    ((HRESULT)0xC80003F9)  /* JET_err -1017 */
#define hrReadVerifyFailure                ((HRESULT)0xC80003FA)  /* JET_err -1018 */
#define hrOutOfFileHandles                 ((HRESULT)0xC80003FC)  /* JET_err -1020 */
#define hrDiskIO                           ((HRESULT)0xC80003FE)  /* JET_err -1022 */
#define hrInvalidPath                      ((HRESULT)0xC80003FF)  /* JET_err -1023 */
#define hrRecordTooBig                     ((HRESULT)0xC8000402)  /* JET_err -1026 */
#define hrTooManyOpenDatabases             ((HRESULT)0xC8000403)  /* JET_err -1027 */
#define hrInvalidDatabase                  ((HRESULT)0xC8000404)  /* JET_err -1028 */
#define hrNotInitialized                   ((HRESULT)0xC8000405)  /* JET_err -1029 */
#define hrAlreadyInitialized               ((HRESULT)0xC8000406)  /* JET_err -1030 */
#define hrFileAccessDenied                 ((HRESULT)0xC8000408)  /* JET_err -1032 */
#define hrBufferTooSmall                   ((HRESULT)0xC800040E)  /* JET_err -1038 */
#define hrSeekNotEqual                     ((HRESULT)0x8800040F)  /* JET_wrn 1039 */
#define hrTooManyColumns                   ((HRESULT)0xC8000410)  /* JET_err -1040 */
#define hrContainerNotEmpty                ((HRESULT)0xC8000413)  /* JET_err -1043 */
#define hrInvalidFilename                  ((HRESULT)0xC8000414)  /* JET_err -1044 */
#define hrInvalidBookmark                  ((HRESULT)0xC8000415)  /* JET_err -1045 */
#define hrColumnInUse                      ((HRESULT)0xC8000416)  /* JET_err -1046 */
#define hrInvalidBufferSize                ((HRESULT)0xC8000417)  /* JET_err -1047 */
#define hrColumnNotUpdatable               ((HRESULT)0xC8000418)  /* JET_err -1048 */
#define hrIndexInUse                       ((HRESULT)0xC800041B)  /* JET_err -1051 */
#define hrNullKeyDisallowed                ((HRESULT)0xC800041D)  /* JET_err -1053 */
#define hrNotInTransaction                 ((HRESULT)0xC800041E)  /* JET_err -1054 */
#define hrNoIdleActivity                   ((HRESULT)0x88000422)  /* JET_wrn 1058 */
#define hrTooManyActiveUsers               ((HRESULT)0xC8000423)  /* JET_err -1059 */
#define hrInvalidCountry                   ((HRESULT)0xC8000425)  /* JET_err -1061 */
#define hrInvalidLanguageId                ((HRESULT)0xC8000426)  /* JET_err -1062 */
#define hrInvalidCodePage                  ((HRESULT)0xC8000427)  /* JET_err -1063 */
#define hrNoWriteLock                      ((HRESULT)0x8800042B)  /* JET_wrn 1067 */
#define hrColumnSetNull                    ((HRESULT)0x8800042C)  /* JET_wrn 1068 */
#define hrVersionStoreOutOfMemory          ((HRESULT)0xC800042D)  /* JET_err -1069 */
#define hrCurrencyStackOutOfMemory         ((HRESULT)0xC800042E)  /* JET_err -1070 */
#define hrOutOfSessions                    ((HRESULT)0xC800044D)  /* JET_err -1101 */
#define hrWriteConflict                    ((HRESULT)0xC800044E)  /* JET_err -1102 */
#define hrTransTooDeep                     ((HRESULT)0xC800044F)  /* JET_err -1103 */
#define hrInvalidSesid                     ((HRESULT)0xC8000450)  /* JET_err -1104 */
#define hrSessionWriteConflict             ((HRESULT)0xC8000453)  /* JET_err -1107 */
#define hrInTransaction                    ((HRESULT)0xC8000454)  /* JET_err -1108 */
#define hrDatabaseDuplicate                ((HRESULT)0xC80004B1)  /* JET_err -1201 */
#define hrDatabaseInUse                    ((HRESULT)0xC80004B2)  /* JET_err -1202 */
#define hrDatabaseNotFound                 ((HRESULT)0xC80004B3)  /* JET_err -1203 */
#define hrDatabaseInvalidName              ((HRESULT)0xC80004B4)  /* JET_err -1204 */
#define hrDatabaseInvalidPages             ((HRESULT)0xC80004B5)  /* JET_err -1205 */
#define hrDatabaseCorrupted                ((HRESULT)0xC80004B6)  /* JET_err -1206 */
#define hrDatabaseLocked                   ((HRESULT)0xC80004B7)  /* JET_err -1207 */
#define hrTableEmpty                       ((HRESULT)0x88000515)  /* JET_wrn 1301 */
#define hrTableLocked                      ((HRESULT)0xC8000516)  /* JET_err -1302 */
#define hrTableDuplicate                   ((HRESULT)0xC8000517)  /* JET_err -1303 */
#define hrTableInUse                       ((HRESULT)0xC8000518)  /* JET_err -1304 */
#define hrObjectNotFound                   ((HRESULT)0xC8000519)  /* JET_err -1305 */
#define hrCannotRename                     ((HRESULT)0xC800051A)  /* JET_err -1306 */
#define hrDensityInvalid                   ((HRESULT)0xC800051B)  /* JET_err -1307 */
#define hrTableNotEmpty                    ((HRESULT)0xC800051C)  /* JET_err -1308 */
#define hrInvalidTableId                   ((HRESULT)0xC800051E)  /* JET_err -1310 */
#define hrTooManyOpenTables                ((HRESULT)0xC800051F)  /* JET_err -1311 */
#define hrIllegalOperation                 ((HRESULT)0xC8000520)  /* JET_err -1312 */
#define hrObjectDuplicate                  ((HRESULT)0xC8000522)  /* JET_err -1314 */
#define hrInvalidObject                    ((HRESULT)0xC8000524)  /* JET_err -1316 */
#define hrIndexCantBuild                   ((HRESULT)0xC8000579)  /* JET_err -1401 */
#define hrIndexHasPrimary                  ((HRESULT)0xC800057A)  /* JET_err -1402 */
#define hrIndexDuplicate                   ((HRESULT)0xC800057B)  /* JET_err -1403 */
#define hrIndexNotFound                    ((HRESULT)0xC800057C)  /* JET_err -1404 */
#define hrIndexMustStay                    ((HRESULT)0xC800057D)  /* JET_err -1405 */
#define hrIndexInvalidDef                  ((HRESULT)0xC800057E)  /* JET_err -1406 */
#define hrIndexHasClustered                ((HRESULT)0xC8000580)  /* JET_err -1408 */
#define hrCreateIndexFailed                ((HRESULT)0x88000581)  /* JET_wrn 1409 */
#define hrTooManyOpenIndexes               ((HRESULT)0xC8000582)  /* JET_err -1410 */
#define hrColumnLong                       ((HRESULT)0xC80005DD)  /* JET_err -1501 */
#define hrColumnDoesNotFit                 ((HRESULT)0xC80005DF)  /* JET_err -1503 */
#define hrNullInvalid                      ((HRESULT)0xC80005E0)  /* JET_err -1504 */
#define hrColumnIndexed                    ((HRESULT)0xC80005E1)  /* JET_err -1505 */
#define hrColumnTooBig                     ((HRESULT)0xC80005E2)  /* JET_err -1506 */
#define hrColumnNotFound                   ((HRESULT)0xC80005E3)  /* JET_err -1507 */
#define hrColumnDuplicate                  ((HRESULT)0xC80005E4)  /* JET_err -1508 */
#define hrColumn2ndSysMaint                ((HRESULT)0xC80005E6)  /* JET_err -1510 */
#define hrInvalidColumnType                ((HRESULT)0xC80005E7)  /* JET_err -1511 */
#define hrColumnMaxTruncated               ((HRESULT)0x880005E8)  /* JET_wrn 1512 */
#define hrColumnCannotIndex                ((HRESULT)0xC80005E9)  /* JET_err -1513 */
#define hrTaggedNotNULL                    ((HRESULT)0xC80005EA)  /* JET_err -1514 */
#define hrNoCurrentIndex                   ((HRESULT)0xC80005EB)  /* JET_err -1515 */
#define hrKeyIsMade                        ((HRESULT)0xC80005EC)  /* JET_err -1516 */
#define hrBadColumnId                      ((HRESULT)0xC80005ED)  /* JET_err -1517 */
#define hrBadItagSequence                  ((HRESULT)0xC80005EE)  /* JET_err -1518 */
#define hrCannotBeTagged                   ((HRESULT)0xC80005F1)  /* JET_err -1521 */
#define hrRecordNotFound                   ((HRESULT)0xC8000641)  /* JET_err -1601 */
#define hrNoCurrentRecord                  ((HRESULT)0xC8000643)  /* JET_err -1603 */
#define hrRecordClusteredChanged           ((HRESULT)0xC8000644)  /* JET_err -1604 */
#define hrKeyDuplicate                     ((HRESULT)0xC8000645)  /* JET_err -1605 */
#define hrAlreadyPrepared                  ((HRESULT)0xC8000647)  /* JET_err -1607 */
#define hrKeyNotMade                       ((HRESULT)0xC8000648)  /* JET_err -1608 */
#define hrUpdateNotPrepared                ((HRESULT)0xC8000649)  /* JET_err -1609 */
#define hrwrnDataHasChanged                ((HRESULT)0x8800064A)  /* JET_wrn 1610 */
#define hrerrDataHasChanged                ((HRESULT)0xC800064B)  /* JET_err -1611 */
#define hrKeyChanged                       ((HRESULT)0x88000652)  /* JET_wrn 1618 */
#define hrTooManySorts                     ((HRESULT)0xC80006A5)  /* JET_err -1701 */
#define hrInvalidOnSort                    ((HRESULT)0xC80006A6)  /* JET_err -1702 */
#define hrTempFileOpenError                ((HRESULT)0xC800070B)  /* JET_err -1803 */
#define hrTooManyAttachedDatabases         ((HRESULT)0xC800070D)  /* JET_err -1805 */
#define hrDiskFull                         ((HRESULT)0xC8000710)  /* JET_err -1808 */
#define hrPermissionDenied                 ((HRESULT)0xC8000711)  /* JET_err -1809 */
#define hrFileNotFound                     ((HRESULT)0xC8000713)  /* JET_err -1811 */
#define hrFileOpenReadOnly                 ((HRESULT)0x88000715)  /* JET_wrn 1813 */
#define hrAfterInitialization              ((HRESULT)0xC800073A)  /* JET_err -1850 */
#define hrLogCorrupted                     ((HRESULT)0xC800073C)  /* JET_err -1852 */
#define hrInvalidOperation                 ((HRESULT)0xC8000772)  /* JET_err -1906 */
#define hrAccessDenied                     ((HRESULT)0xC8000773)  /* JET_err -1907 */

#endif /* _NTDSBMSG_ */
