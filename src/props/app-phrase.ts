/**
 * What a resource's description calls a part of the app: `thing` after the
 * app's name when a construct is given one (`appName`: "Inventory" makes
 * "Inventory database"), else `thing` alone ("database"), so a construct
 * copied into another project describes its resources in its words, not the
 * lab's. `sentenceStart` capitalizes the first letter ("Database: ...").
 */
export function appPhrase(appName: string | undefined, thing: string, sentenceStart = false): string {
  const phrase = appName ? `${appName} ${thing}` : thing;
  return sentenceStart ? phrase.charAt(0).toUpperCase() + phrase.slice(1) : phrase;
}
