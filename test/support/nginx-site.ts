/**
 * deploy/nginx.conf as a test or the bench runs it: the shipped file itself, with its gateway
 * ports, listen ports, name and certificate substituted, and one upstream `server` line per
 * gateway instance given. Each substitution must match exactly as often as expected, so a drifted
 * deploy file fails here, loudly, instead of running something else than what is shipped.
 */
import { readFileSync } from "node:fs";

export interface NginxSiteOptions {
  /** The gateway instances' loopback ports, one upstream `server` each (at least one). */
  gatewayPorts: readonly number[];
  /** Where nginx terminates TLS, and where it redirects plain http from (both on 127.0.0.1). */
  tlsPort: number;
  httpPort: number;
  /** For `localhost` (see prepareNginx). */
  certificate: { certificateFile: string; keyFile: string };
}

const upstreamServers = ["8080", "8081", "8082"].map((port) => `    server 127.0.0.1:${port};\n`).join("");

function substitute(text: string, from: string, to: string, times: number): string {
  const found = text.split(from).length - 1;
  if (found !== times)
    throw new Error(`deploy/nginx.conf: expected ${JSON.stringify(from)} ${times} time(s), found ${found}`);
  return text.split(from).join(to);
}

export function nginxSite({ gatewayPorts, tlsPort, httpPort, certificate }: NginxSiteOptions): string {
  if (gatewayPorts.length === 0) throw new Error("nginxSite: at least one gateway port");
  let site = readFileSync(new URL("../../deploy/nginx.conf", import.meta.url), "utf8");
  const servers = gatewayPorts.map((port) => `    server 127.0.0.1:${port};\n`).join("");
  site = substitute(site, upstreamServers, servers, 1);
  site = substitute(site, "listen 80;", `listen 127.0.0.1:${httpPort};`, 1);
  site = substitute(site, "listen [::]:80;", "", 1);
  site = substitute(site, "listen 443 ssl http2;", `listen 127.0.0.1:${tlsPort} ssl http2;`, 1);
  site = substitute(site, "listen [::]:443 ssl http2;", "", 1);
  site = substitute(site, "/etc/letsencrypt/live/api.example.com/fullchain.pem", certificate.certificateFile, 1);
  site = substitute(site, "/etc/letsencrypt/live/api.example.com/privkey.pem", certificate.keyFile, 1);
  return substitute(site, "server_name api.example.com;", "server_name localhost;", 2);
}
