/**
 * Given names people write for one another: each group holds the forms of one name. A name's
 * canonical form is the first of its group, so "Bob" and "Robert" compare as the same name.
 */
const GROUPS = [
  'robert bob rob bobby robbie bert', 'william bill will billy willy liam', 'richard rick dick rich ricky richie',
  'james jim jimmy jamie', 'john jack johnny jon', 'joseph joe joey jo', 'michael mike mick mikey mickey',
  'thomas tom tommy', 'charles charlie chuck chas', 'christopher chris kit', 'daniel dan danny', 'david dave davy',
  'edward ed eddie ted ned', 'francis frank frankie fran', 'gregory greg', 'henry harry hank', 'lawrence larry laurie',
  'matthew matt', 'nicholas nick nicky', 'patrick pat paddy', 'peter pete', 'raymond ray', 'ronald ron ronnie',
  'samuel sam sammy', 'stephen steve stevie steven', 'timothy tim timmy', 'anthony tony', 'andrew andy drew',
  'alexander alex alec sandy', 'benjamin ben benny', 'douglas doug', 'donald don donnie', 'frederick fred freddie',
  'gerald gerry jerry', 'jeffrey jeff', 'jonathan jon jonny', 'joshua josh', 'kenneth ken kenny', 'leonard len lenny leo',
  'nathaniel nathan nate nat', 'philip phil', 'samantha sam sammie', 'walter walt wally', 'zachary zach zack',
  'elizabeth liz beth betty lizzie eliza betsy bess libby', 'margaret maggie meg peggy marge madge', 'katherine kate kathy katie kat kit catherine cathy kathryn',
  'jennifer jen jenny', 'jessica jess jessie', 'rebecca becky becca', 'susan sue susie suzanne', 'deborah deb debbie debra',
  'patricia pat patty trish tricia', 'barbara barb barbie', 'christine chris chrissy christina tina', 'victoria vicky tori',
  'abigail abby', 'alexandra alex sandra sandy lexi', 'amanda mandy', 'caroline carol carrie', 'dorothy dot dottie',
  'eleanor ellie nell nora', 'helen nellie', 'jacqueline jackie', 'judith judy', 'kimberly kim', 'louise lou',
  'pamela pam', 'penelope penny', 'stephanie steph', 'theresa terry tess tessa', 'valerie val', 'veronica ronnie',
  'anne ann annie anna', 'mary molly mae polly', 'sarah sara sally', 'isabella bella izzy isabel', 'jacob jake',
] as const;

const GROUPS_OF = new Map<string, number[]>();
GROUPS.forEach((group, i) => {
  for (const name of group.split(' ')) GROUPS_OF.set(name, [...(GROUPS_OF.get(name) ?? []), i]);
});

/** Whether two folded given names are forms of one name ("bob" and "robert", "kate" and "catherine"). */
export function sameGivenName(a: string, b: string): boolean {
  if (a === b) return true;
  const ga = GROUPS_OF.get(a);
  const gb = GROUPS_OF.get(b);
  return ga !== undefined && gb !== undefined && ga.some((g) => gb.includes(g));
}

/** The given name's first form in its first group, for blocking ("bob" → "robert"); the name itself otherwise. */
export function canonicalGivenName(folded: string): string {
  const groups = GROUPS_OF.get(folded);
  return groups ? GROUPS[groups[0]!]!.split(' ')[0]! : folded;
}
