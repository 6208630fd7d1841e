import type Redis from "ioredis";

/** A Lua script ioredis sends by its SHA (EVALSHA), as a method on the connection. */
export interface ScriptDefinition {
  keys: number;
  lua: string;
}

/**
 * Defines each script as a command on the connection, once: several stores
 * share a connection, and ioredis keeps one definition per name.
 */
export function defineScripts(redis: Redis, scripts: Record<string, ScriptDefinition>) {
  for (const [name, script] of Object.entries(scripts)) {
    if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: script.keys, lua: script.lua });
  }
}
