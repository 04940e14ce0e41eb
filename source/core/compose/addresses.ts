/** Where a worktree's ports are reached, as port prints them. */

/** A routed port: `http://<worktree>.<domain>:<logical port>` through Traefik. */
export const urlOf = (hostname: string, port: number) => `http://${hostname}:${port}`;

/** Where a non-HTTP port of a worktree is reached: its own host port on loopback. */
export const tcpAddress = (hostPort: number) => `localhost:${hostPort}`;
