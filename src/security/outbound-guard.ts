import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, Socket } from 'node:net';
import { Agent, buildConnector, setGlobalDispatcher } from 'undici';
import type { EgressPolicy } from './egress-policy';

type LookupCallback = (error: Error | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * Holds every outgoing HTTP connection of this process to the egress policy, at the moment it is made:
 * after DNS has answered (so a name that changes its answer is caught) and for every redirect, since each
 * is a new connection. Covers Node's http and https agents (axios, node-fetch: the WooCommerce, HubSpot and
 * Salesforce clients) and fetch (undici: the Shopify client). Postgres and Redis connect without them.
 */
export function guardOutboundConnections(policy: EgressPolicy): void {
  const lookup = (hostname: string, options: dns.LookupOptions, callback: LookupCallback) =>
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      try {
        for (const { address } of addresses) policy.checkAddress(hostname, address);
      } catch (refusal) {
        return callback(refusal as Error, '');
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  /** A host written as an address never reaches lookup: it is checked as it is. */
  const refusalOf = (host: string | null | undefined): Error | null => {
    if (!host || !isIP(host.replace(/^\[|\]$/g, ''))) return null;
    const address = host.replace(/^\[|\]$/g, '');
    try {
      policy.checkAddress(address, address);
      return null;
    } catch (refusal) {
      return refusal as Error;
    }
  };
  type CreateConnection = (options: http.ClientRequestArgs, callback?: unknown) => Socket;
  const guard = <T extends http.Agent>(agent: T): T => {
    const target = agent as unknown as { createConnection: CreateConnection };
    const original = target.createConnection.bind(agent);
    target.createConnection = (options, callback) => {
      const refusal = refusalOf(options.host ?? options.hostname);
      if (!refusal) return original(options, callback);
      const socket = new Socket();
      process.nextTick(() => socket.destroy(refusal));
      return socket;
    };
    return agent;
  };
  http.globalAgent = guard(new http.Agent({ keepAlive: true, lookup }));
  https.globalAgent = guard(new https.Agent({ keepAlive: true, lookup }));
  const connect = buildConnector({ lookup });
  setGlobalDispatcher(
    new Agent({
      connect: (options, callback) => {
        const refusal = refusalOf(options.hostname);
        if (refusal) return callback(refusal, null);
        return connect(options, callback);
      },
    }),
  );
}
