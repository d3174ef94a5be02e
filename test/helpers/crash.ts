import type { Connector } from '../../src/connectors/connector.port';

/** A destination that dies right after its first write of an entity: the write landed, the ledger never heard. */
export function dyingAfterFirstWrite(destination: Connector, entity: string): Connector {
  let died = false;
  return new Proxy(destination, {
    get(target, property, receiver) {
      if (property === 'upsert') {
        return async (e: Parameters<Connector['upsert']>[0], items: Parameters<Connector['upsert']>[1]) => {
          const outcomes = await target.upsert(e, items);
          if (e === entity && !died) {
            died = true;
            throw new Error('simulated crash after the destination accepted the batch');
          }
          return outcomes;
        };
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}
