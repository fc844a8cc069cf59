/**
 * The OpenAI Agents SDK for JS (`@openai/agents` 0.14.3, a dev dependency; the last line on openai
 * 6, which it shares with us) pointed at a Responses API base URL. Its model is the default one,
 * OpenAIResponsesModel over HTTP (what `setDefaultOpenAIClient` + the default `setOpenAIAPI
 * ("responses")` give), but through a Runner of its own instead of the SDK's global defaults, so
 * tests do not share state.
 *
 * Tracing is disabled: with it on, the SDK exports traces to api.openai.com at the end of a run
 * when OPENAI_API_KEY is set (three failed attempts offline, logged), and warns when it is not.
 */
import { OpenAIProvider, Runner } from "@openai/agents";
import OpenAI from "openai";

export function agentsRunner(baseURL: string, apiKey: string): Runner {
  const openAIClient = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
  return new Runner({
    modelProvider: new OpenAIProvider({ openAIClient, useResponses: true }),
    tracingDisabled: true,
  });
}
