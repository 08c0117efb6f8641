import { StartupError } from './startup-error.js';

export interface ListenTarget {
  /** The variable that sets the port, for the error line. */
  variable: string;
  port: number;
  /** Set explicitly: a taken port is an error. Defaulted: fall back to any free port. */
  explicit: boolean;
}

export interface Listening {
  port: number;
  /** True when the default port was taken and another one was chosen. */
  fellBack: boolean;
}

/** Listens on the configured port; when the default is taken (a broker already on 1883), on a free one. */
export async function listenWithFallback(target: ListenTarget, listen: (port: number) => Promise<number>): Promise<Listening> {
  try {
    return { port: await listen(target.port), fellBack: false };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' && !target.explicit) return { port: await listen(0), fellBack: true };
    if (code === 'EADDRINUSE') throw new StartupError(target.variable, `port ${target.port} is already in use; set ${target.variable} to a free port (0 picks one)`);
    if (code === 'EACCES') throw new StartupError(target.variable, `no permission to listen on port ${target.port}; choose a port above 1023`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new StartupError(target.variable.replace('PORT', 'HOST'), `cannot listen on that address (${code})`);
    throw err;
  }
}
