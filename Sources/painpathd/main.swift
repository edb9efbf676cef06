// painpathd: the inbox daemon. Its issue (crash-safe inbox under systemd) is not built yet; until
// then this placeholder says so and exits with EX_UNAVAILABLE so no one mistakes it for working.
import FHIR

#if canImport(Glibc)
import Glibc
#endif

let message = "painpathd: the inbox daemon is not built yet (see the daemon issue); use `painpath validate` / `painpath convert` meanwhile\n"
_ = message.withCString { write(2, $0, strlen($0)) }
exit(69)
