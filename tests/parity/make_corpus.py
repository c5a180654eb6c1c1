#!/usr/bin/env python3
"""Generates the text-metric parity corpus: JSON Lines of {"id", "prediction", "reference"}.

Deterministic (fixed seed). The pairs cover what the C++ metrics must get exactly right:
punctuation, numbers, contractions, HTML entities and "<skipped>"/hyphen-newline handling
(sacrebleu 13a), Unicode (accents, CJK, emoji, RTL, combining marks, Unicode whitespace,
characters with special lowercasing such as U+0130, U+212A and the Greek final sigma),
empty and whitespace-only strings, very long and very short strings, identical pairs, and
English words that exercise the Porter stemmer.

    python3 tests/parity/make_corpus.py [--pairs N] [--seed S] > corpus.jsonl
    python3 tests/parity/make_corpus.py --stem-words > words.txt
"""
import argparse
import json
import random
import sys

DEFAULT_SEED = 20240611
DEFAULT_PAIRS = 1500

# Word forms chosen to walk the Porter stemmer's rules (steps 1a-5b and NLTK's extensions).
STEM_WORDS = """
caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated troubled
sized hopping tanned falling hissing fizzed failing filing happy sky relational conditional
rational valenci hesitanci digitizer conformabli radicalli differentli vileli analogousli
vietnamization predication operator feudalism decisiveness hopefulness callousness formaliti
sensitiviti sensibiliti triplicate formative formalize electriciti electrical hopeful goodness
revival allowance inference airliner gyroscopic adjustable defensible irritant replacement
adjustment dependent adoption homologou communism activate angulariti homologous effective
bowdlerize probate rate cease controll roll skies dying lying tying news innings outings
cannings howe proceed exceed succeed generously generous generalization running runs ran
runner easily fairly fully lying flies died cried spied tried tries dies studies studying
abilities ability agreement agreements connection connections connected connecting
connective connectivity nationally national nationalism rationalization organization
organizations organizer organizing played playing plays player happily happiness unhappy
universally university universe beautifully beautiful beauty argued arguing argues argument
arguments hopelessness carefully careful caring cared cares care meetings meeting met meet
stopped stopping stops stop dogs dog doggy quickly quick quicker quickest running jumped
jumping jumps swimming swam swimmer eating eats ate eaten reading reads readable readability
""".split()

COMMON_WORDS = """
the a an of to in and is was for on that with as by at from it this be are or not have has
had which but they their its he she his her we you your will would can could should may
model answer question data result results test tests value values system user users time
year years people city country capital river mountain language number first second last new
old large small good best better high low long short left right true false yes no maybe
""".split()

PUNCT = list(".,;:!?\"'()[]{}<>-_/\\@#$%^&*+=|~`")

UNICODE_SNIPPETS = [
    "café", "naïve", "résumé", "Ångström", "Zürich", "São Paulo", "Ñandú", "façade",
    "ﬁnancial", "straße", "STRASSE", "ǅemal", "Ǆ", "ŉ",
    "İstanbul", "İİ", "Iı", "DİYARBAKIR", "\u212aelvin", "3 \u212a", "\u212b",  # special lower
    "ΟΔΥΣΣΕΥΣ", "Σ", "ΑΣ", "ΑΣ.", "Α.Σ", "ΑΣ'Σ", "ΣΑ", "σς", "ΜΆΣ ΜΑΣ", "ΑΣ\u0345Β",
    "Ἀθῆναι", "Москва", "ПРИВЕТ мир", "Ԁ", "Ꙁ",
    "北京是中国的首都", "東京タワー", "서울특별시", "ｆｕｌｌｗｉｄｔｈ", "１２３",
    "😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "❤️", "✓", "→", "€", "£5", "¥", "§", "¶", "°C",
    "שלום עולם", "مرحبا بالعالم", "\u200fRTL\u200e", "\u202eevil\u202c",
    "e\u0301", "a\u0308o\u0308", "n\u0303", "Z\u0327\u0301", "\u0301start",
    "x\u00a0y", "x\u2009y", "x\u3000y", "x\u2028y", "x\u0085y", "x\u1680y", "x\u200by",
    "x\u001cy", "x\u000by", "x\u000cy", "x\ty", "x\ry", "\u2160\u2161", "½", "²", "٣",
    "the\u00e9", "é the é", "the😀", "😀the", "an_the", "_a_", "a\u0301", "théâtre",
    "Ⅻ", "ⓐ", "Ⓐ", "ᾼ", "ǰ", "ß", "ﬀ", "ὒ",
]

HTML = ["&quot;", "&amp;", "&lt;", "&gt;", "&amp;lt;", "&amp;amp;", "&nbsp;", "&#39;", "& ",
        "<skipped>", "<b>bold</b>", "a-\nb", "-\n", "\n", "x<skipped>-\ny", "<skip<skipped>ped>"]

NUMBERS = ["3.14", "1,000", "1,000,000", "2-3", "10-20", "-5", "5-", "3.", ".5", ",5", "5,",
           "12:30", "50%", "$12.99", "1e-9", "v1.2.3", "2024-06-11", "No. 5", "U.S.A.", "e.g.",
           "a.b", "1.a", "a.1", "...", ",,", ".,.,", "0.0", "007"]

CONTRACTIONS = ["don't", "can't", "won't", "it's", "I'm", "they're", "we've", "y'all",
                "o'clock", "rock'n'roll", "'quoted'", "Jones'", "isn't", "shouldn't've"]

FIXED_PAIRS = [
    ("", ""), ("", "reference only"), ("prediction only", ""), (" ", " "), ("\t\n", ""),
    ("\u00a0", "\u3000"), ("...", "!!!"), ("a", "a"), ("a", "an"), ("the", "the"),
    ("The", "the"), ("A the an", ""), ("a b c", "a b c"), ("x", "y"),
    ("The cat sat on the mat.", "The cat sat on the mat."),
    ("the cat sat on the mat", "the cat on the mat"),
    ("Hello, world! It's 3.5-4 &amp; more.", "Hello world, it is 3.5 to 4 and more."),
    ("İstanbul is in Türkiye", "istanbul is in turkiye"),
    ("\u212aelvin scale", "Kelvin scale"), ("ΟΔΥΣΣΕΥΣ", "οδυσσευς"), ("ΟΔΥΣΣΕΥΣ", "οδυσσευσ"),
    ("Σ", "σ"), ("ΑΣ", "ας"), ("café", "cafe"), ("CAFÉ", "café"), ("straße", "STRASSE"),
    ("北京是中国的首都", "北京 是 中国 的 首都"), ("😀😀", "😀 😀"), ("e\u0301", "é"),
    ("line one-\nline two", "line oneline two"), ("a<skipped>b", "ab"),
    ("&quot;quoted&quot;", "\"quoted\""), ("&amp;lt;tag&amp;gt;", "<tag>"),
    ("trailing spaces   ", "trailing spaces"), ("trailing-\n", "trailing-"),
    ("ends with space dot .", "ends with space dot."), ("1,000.50", "1000.50"),
    ("x" * 300, "x" * 300), ("yyyyyyyyyy", "yyyyyyyyyyy"),
    ("generously running relational", "generous run relate"),
    ("skies dying news innings", "sky die news inning"),
]


def random_word(rng):
    r = rng.random()
    if r < 0.35:
        return rng.choice(STEM_WORDS)
    if r < 0.75:
        return rng.choice(COMMON_WORDS)
    if r < 0.82:
        return rng.choice(NUMBERS)
    if r < 0.87:
        return rng.choice(CONTRACTIONS)
    if r < 0.93:
        return rng.choice(UNICODE_SNIPPETS)
    if r < 0.96:
        return rng.choice(HTML)
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 12)))


def decorate(rng, word):
    r = rng.random()
    if r < 0.1:
        word = word.upper()
    elif r < 0.25:
        word = word.capitalize()
    if rng.random() < 0.15:
        word += rng.choice(PUNCT)
    if rng.random() < 0.05:
        word = rng.choice(PUNCT) + word
    return word


def sentence(rng, n_words):
    seps = [" "] * 30 + ["  ", "\t", "\n", "-", "\u00a0", ", ", ". ", "/"]
    out = []
    for i in range(n_words):
        if i:
            out.append(rng.choice(seps))
        out.append(decorate(rng, random_word(rng)))
    if n_words and rng.random() < 0.6:
        out.append(rng.choice([".", "!", "?", " .", "...", ""]))
    if rng.random() < 0.05:
        out.append(rng.choice([" ", "\n", "\t", "\u3000", "\u2028"]))
    return "".join(out)


# Words sharing their first four letters, e.g. connect/connected/connection: swapping one for
# another changes ROUGE-L without the stemmer but often not with it.
FAMILIES = {}
for _word in STEM_WORDS:
    FAMILIES.setdefault(_word[:4], []).append(_word)


def inflect(rng, word):
    family = FAMILIES.get(word.lower()[:4])
    return rng.choice(family) if family else word


def perturb(rng, text):
    words = text.split(" ")
    ops = rng.randint(0, max(1, len(words) // 3))
    for _ in range(ops):
        op = rng.random()
        if op < 0.25:
            i = rng.randrange(len(words))
            words[i] = inflect(rng, words[i])
        elif op < 0.4 and len(words) > 1:
            del words[rng.randrange(len(words))]
        elif op < 0.6:
            words.insert(rng.randrange(len(words) + 1), decorate(rng, random_word(rng)))
        elif op < 0.8 and len(words) > 1:
            i, j = rng.randrange(len(words)), rng.randrange(len(words))
            words[i], words[j] = words[j], words[i]
        else:
            i = rng.randrange(len(words))
            words[i] = decorate(rng, random_word(rng))
    return " ".join(words)


def make_pairs(n_pairs, seed):
    rng = random.Random(seed)
    pairs = list(FIXED_PAIRS)
    for snippet in UNICODE_SNIPPETS + HTML + NUMBERS + CONTRACTIONS:
        pairs.append((snippet, snippet.lower()))
        pairs.append((f"The {snippet} and the rest", f"the rest and {snippet.upper()}"))
    while len(pairs) < n_pairs:
        kind = rng.random()
        if kind < 0.05:  # Very short.
            pair = (sentence(rng, rng.randint(0, 2)), sentence(rng, rng.randint(0, 2)))
        elif kind < 0.08:  # Very long (hundreds to thousands of tokens).
            ref = sentence(rng, rng.randint(300, 1200))
            pair = (perturb(rng, ref), ref)
        elif kind < 0.13:  # Identical.
            text = sentence(rng, rng.randint(1, 40))
            pair = (text, text)
        elif kind < 0.20:  # Unrelated.
            pair = (sentence(rng, rng.randint(1, 30)), sentence(rng, rng.randint(1, 30)))
        else:  # A prediction close to its reference.
            ref = sentence(rng, rng.randint(1, 60))
            pair = (perturb(rng, ref), ref)
        pairs.append(pair)
    return pairs


# Pieces that interact in sacrebleu's 13a rules and in SQuAD normalisation.
FUZZ_PIECES = [".", ",", "-", "5", "0", "a", "an", "the", "The", "Z", " ", "  ", "'", "/",
               "(", "$", "_", "\t", "\n", "-\n", "\x01", "\x7f", "&", "&amp;", "&quot;",
               "&lt;", "&gt;", ";", "<skipped>", "<", "é", "É", "İ", "\u212a", "Σ", "Α",
               "\u00a0", "\u3000", "\u2028", "\u0085", "\u0301", "北", "😀", "½", "²"]


def fuzz_lines(seed, count=5000):
    """Short random lines over FUZZ_PIECES, for tokenizer and normaliser parity."""
    rng = random.Random(seed)
    return ["".join(rng.choice(FUZZ_PIECES) for _ in range(rng.randint(0, 14)))
            for _ in range(count)]


def stem_words(seed):
    """Words for the stemmer parity check: the list above, suffix combinations, random."""
    rng = random.Random(seed)
    words = set(w.lower() for w in STEM_WORDS + COMMON_WORDS)
    suffixes = ["", "s", "es", "ies", "ied", "ed", "eed", "ing", "ly", "ness", "ful", "ation",
                "ational", "tional", "ization", "izer", "alli", "bli", "logi", "fulli", "entli",
                "eli", "ousli", "alism", "iveness", "fulness", "ousness", "aliti", "iviti",
                "biliti", "icate", "ative", "alize", "iciti", "ical", "ance", "ence", "er",
                "ic", "able", "ible", "ant", "ement", "ment", "ent", "sion", "tion", "ou",
                "ism", "ate", "iti", "ous", "ive", "ize", "e", "ll", "y", "at", "bl", "iz"]
    stems = ["run", "hop", "fil", "fail", "conflat", "troubl", "siz", "happ", "gener", "nation",
             "ration", "condit", "valen", "hesit", "digit", "conform", "radic", "differ", "vil",
             "analog", "formal", "sensit", "sensib", "tripl", "electr", "hope", "good", "reviv",
             "allow", "infer", "airlin", "gyroscop", "adjust", "defens", "irrit", "replac",
             "depend", "adopt", "homolog", "commun", "activ", "angular", "effect", "bowdler",
             "prob", "cea", "control", "ro", "sk", "d", "l", "t", "by", "toy", "syzyg", "yy",
             "ay", "oy", "eye", "sy", "spy", "fly", "tr", "x", "ab", "cv", "aw", "ax"]
    for stem in stems:
        for suffix in suffixes:
            words.add(stem + suffix)
    letters = "aeiouybcdlmnrstgpxwz"
    for _ in range(20000):
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(1, 14))))
    for _ in range(3000):
        words.add("".join(rng.choice(letters[:8]) for _ in range(rng.randint(1, 10))) +
                  rng.choice(suffixes))
    return sorted(words)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=DEFAULT_PAIRS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--stem-words", action="store_true",
                        help="print the stemmer word list instead of the corpus")
    args = parser.parse_args()
    if args.stem_words:
        sys.stdout.write("".join(w + "\n" for w in stem_words(args.seed)))
        return
    for i, (prediction, reference) in enumerate(make_pairs(args.pairs, args.seed)):
        sys.stdout.write(json.dumps({"id": i, "prediction": prediction, "reference": reference})
                         + "\n")


if __name__ == "__main__":
    main()
