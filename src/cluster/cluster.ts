/**
 * This instance's place among others: its id, the other instances' addresses, where the work
 * clients come back to lives, and the credential instances send each other's requests with. With
 * a SQLite store there is one instance, and everything is here (`Cluster.alone`).
 */
import type { Redis } from "ioredis";
import type { Logger } from "../observability/logger.js";
import { storeUnavailable } from "../store/store-unavailable.js";
import { type InstanceRecord, InstanceRegistry, newInstanceId } from "./instance-registry.js";
import { InternalCredential, readClusterSecret } from "./internal-credential.js";
import { type WorkLocation, WorkLocations } from "./work-locations.js";

interface Shared {
  registry: InstanceRegistry;
  locations: WorkLocations;
  credential: InternalCredential;
  /** Reads the cluster secret again (see internal-credential.ts). */
  refreshSecret(): Promise<void>;
}

/** How often the secret is read again: as often as the registry beats. */
const secretCheckMs = 2_500;

const nowhere: WorkLocation = { kind: "nowhere" };

/** Redis failing: the store's 503, as for any request that needs it. */
function unavailable(error: unknown): never {
  throw storeUnavailable(error);
}

export class Cluster {
  private secretTimer: NodeJS.Timeout | undefined;
  private draining = false;

  private constructor(
    readonly instanceId: string,
    private readonly shared: Shared | undefined,
    private readonly logger: Logger,
  ) {}

  static alone(logger: Logger, instanceId = newInstanceId()): Cluster {
    return new Cluster(instanceId, undefined, logger);
  }

  /**
   * Joins the instances sharing this Redis; `register` (once listening) makes it reachable. Redis
   * need not answer yet: what needs it fails (503) until it does, as the store's requests do.
   */
  static join(redis: Redis, prefix: string, logger: Logger, instanceId = newInstanceId()): Cluster {
    const registry = new InstanceRegistry(redis, prefix, instanceId);
    // A nonce is taken once, cluster-wide: a credential seen before is a replay.
    const nonces = async (nonce: string, ttlMs: number) =>
      (await redis.set(`${prefix}nonce:${nonce}`, "1", "PX", ttlMs, "NX")) === "OK";
    const credential = new InternalCredential(
      instanceId,
      (preferred) => readClusterSecret(redis, prefix, preferred),
      nonces,
    );
    const locations = new WorkLocations(redis, prefix, registry);
    return new Cluster(
      instanceId,
      { registry, locations, credential, refreshSecret: () => credential.refresh() },
      logger,
    );
  }

  get isShared(): boolean {
    return this.shared !== undefined;
  }

  /** Signs and checks requests sent between instances; undefined alone. */
  get credential(): InternalCredential | undefined {
    return this.shared?.credential;
  }

  async register(advertiseUrl: string): Promise<void> {
    const { shared } = this;
    if (!shared) return;
    // Redis down: the beats go on trying; the instance serves what needs no Redis meanwhile.
    await shared.registry
      .register(advertiseUrl)
      .catch((error: unknown) =>
        this.logger.warn({ error: String(error) }, "this instance could not register in Redis yet"),
      );
    this.secretTimer = setInterval(() => {
      shared
        .refreshSecret()
        .catch((error: unknown) =>
          this.logger.warn({ error: String(error) }, "the cluster secret could not be read from Redis"),
        );
    }, secretCheckMs);
    this.secretTimer.unref();
  }

  /**
   * Draining: no forwarded work from now on. The records of its waiting turns and sessions stay
   * (they end now): the others find them on a draining, then gone, instance — 410, not 404.
   */
  async drain(): Promise<void> {
    this.draining = true;
    await this.shared?.registry.drain();
  }

  async close(): Promise<void> {
    clearInterval(this.secretTimer);
    await this.shared?.registry.close();
  }

  /** An instance found not listening any more (see InstanceRegistry.forget). */
  async forget(instance: InstanceRecord): Promise<void> {
    await this.shared?.registry
      .forget(instance)
      .catch((error: unknown) =>
        this.logger.warn({ error: String(error) }, "a gone instance could not be forgotten in Redis"),
      );
  }

  /** The other live instances that take work. */
  async peers(): Promise<InstanceRecord[]> {
    if (!this.shared) return [];
    const all = await this.shared.registry.list().catch(unavailable);
    return all.filter((instance) => instance.id !== this.instanceId && !instance.draining);
  }

  /**
   * Where a waiting turn for these calls is. Its instance records it in the background once the
   * turn is parked, which may be a moment after the client read the calls: "nowhere" is asked
   * again twice before it is believed (only results no turn waits for pay that 200 ms).
   */
  async waitingTurn(owner: string, callIds: string[]): Promise<WorkLocation> {
    if (!this.shared) return nowhere;
    for (let attempt = 0; ; attempt++) {
      const location = await this.shared.locations.waitingTurn(owner, callIds).catch(unavailable);
      if (location.kind !== "nowhere" || attempt === 2) return location;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async waitingConversation(owner: string, conversationId: string): Promise<WorkLocation> {
    return this.shared ? this.shared.locations.waitingConversation(owner, conversationId).catch(unavailable) : nowhere;
  }

  async session(owner: string, id: string): Promise<WorkLocation> {
    return this.shared ? this.shared.locations.session(owner, id).catch(unavailable) : nowhere;
  }

  /** Recorded in the background: a client that is told about the calls asks moments later. */
  turnWaiting(owner: string, callIds: string[], conversationId: string | undefined, ttlMs: number): void {
    this.record(this.shared?.locations.turnWaiting(owner, callIds, conversationId, ttlMs), "a waiting turn");
  }

  turnEnded(owner: string, callIds: string[], conversationId: string | undefined): void {
    if (this.draining) return;
    this.record(this.shared?.locations.turnEnded(owner, callIds, conversationId), "an ended turn");
  }

  sessionStarted(owner: string, id: string): Promise<void> {
    return this.shared?.locations.sessionStarted(owner, id) ?? Promise.resolve();
  }

  sessionEnded(owner: string, id: string): void {
    if (this.draining) return;
    this.record(this.shared?.locations.sessionEnded(owner, id), "an ended session");
  }

  private record(writing: Promise<unknown> | undefined, what: string): void {
    writing?.catch((error: unknown) =>
      this.logger.warn({ error: String(error) }, `the location of ${what} could not be recorded in Redis`),
    );
  }
}
