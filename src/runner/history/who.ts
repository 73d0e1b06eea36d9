/** Who runs this process, as the journal's history records it (the database user comes from the server: current_user). */
import { hostname, userInfo } from 'node:os';

/** The OS user and the host of this process. */
export interface Who {
  osUser: string;
  host: string;
}

/** userInfo() throws where the uid has no passwd entry (a container); USER or LOGNAME then. */
export function whoAmI(env: Readonly<Record<string, string | undefined>> = process.env): Who {
  let osUser: string;
  try {
    osUser = userInfo().username;
  } catch {
    osUser = env.USER ?? env.LOGNAME ?? `uid ${process.getuid?.() ?? '?'}`;
  }
  return { osUser, host: hostname() };
}
