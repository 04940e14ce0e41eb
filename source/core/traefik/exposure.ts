/** What `"lan": true` in .port/config.jsonc means, said wherever such a port is routed. */
export const lanNotice = (ports: number[]) =>
	`"lan": true in .port/config.jsonc: Traefik listens on every interface for ${ports.map(p => `:${p}`).join(', ')}, so anyone who can reach this machine can use these dev servers (with any Host header); remove it to keep them on loopback.`;
