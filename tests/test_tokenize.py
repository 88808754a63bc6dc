"""Word tokenizer, vocabulary, padding and the BPE contrast."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from model.tokenize import PAD_ID, UNK_ID, Vocab, bpe_tokenize, has_words, pad_batch, word_tokenize


def test_lowercases_and_splits_punctuation():
    assert word_tokenize("Great MOVIE, really!") == ["great", "movie", ",", "really", "!"]


def test_keeps_apostrophe_words_and_drops_line_breaks():
    assert word_tokenize("I didn't<br /><br />LIKE it.") == ["i", "didn't", "like", "it", "."]


def test_markup_alone_has_no_words_but_tags_in_text_stay_tokens():
    assert word_tokenize("<p><b></b></p>")  # the tokenizer alone would read "<", "p", ">" ...
    assert not has_words("<p><b></b></p> <a href='x.html'></a>\t")  # ... so markup alone is refused
    assert has_words("<p>Great film</p>") and has_words("3 < 4 and 5 > 2")
    assert "p" in word_tokenize("<p>Great film</p>")  # the text is otherwise kept as written


def test_vocab_order_min_count_and_reserved_ids():
    docs = [["b", "a", "a"], ["c", "a", "b"], ["d"]]
    v = Vocab.build(docs, min_count=2, max_size=100)
    # a appears 3 times, b twice; c and d once and are cut by min_count.
    assert v.itos == ["<pad>", "<unk>", "a", "b"]
    assert v.stoi["<pad>"] == PAD_ID == 0 and v.stoi["<unk>"] == UNK_ID == 1
    assert v.counts[2:] == [3, 2]


def test_vocab_ties_are_alphabetical_and_size_is_capped():
    v = Vocab.build([["z", "y", "x", "x"]], min_count=1, max_size=4)
    assert v.itos == ["<pad>", "<unk>", "x", "y"]


def test_round_trip_known_and_unknown_words():
    v = Vocab.build([word_tokenize("the film was good. the film was long.")], min_count=1)
    tokens = word_tokenize("The film was terrible.")
    ids = v.encode(tokens)
    assert ids[3] == UNK_ID
    assert v.decode(ids) == ["the", "film", "was", "<unk>", "."]
    known = word_tokenize("the film was good.")
    assert v.decode(v.encode(known)) == known


def test_padding_and_mask():
    ids, mask = pad_batch([[5, 6, 7], [8], list(range(2, 12))], length=4)
    assert ids.shape == mask.shape == (3, 4)
    assert ids.tolist() == [[5, 6, 7, 0], [8, 0, 0, 0], [2, 3, 4, 5]]
    assert mask.tolist() == [[True, True, True, False], [True, False, False, False], [True] * 4]


def test_bpe_ids_of_a_known_sentence(bpe_ready):
    # GPT-2's ids for "hello world", as documented for the r50k_base rank file.
    pieces, ids = bpe_tokenize("hello world")
    assert ids == [31373, 995]
    assert pieces == ["hello", " world"]


def test_bpe_splits_a_rare_word_into_pieces(bpe_ready):
    pieces, ids = bpe_tokenize(" antidisestablishmentarianism")
    assert len(ids) > 2 and "".join(pieces) == " antidisestablishmentarianism"


# --- properties -------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_unicode_text_tokenizes(text):
    tokens = word_tokenize(text)
    assert all(t and not any(c.isspace() for c in t) for t in tokens)
    assert all(t == t.lower() for t in tokens)


_VOCAB = Vocab.build([word_tokenize("a good film and a bad film , with some good acting !")], min_count=1)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_ids_stay_inside_the_vocabulary(text):
    ids = _VOCAB.encode(word_tokenize(text))
    assert all(0 < i < len(_VOCAB) for i in ids)  # never <pad>, never out of range


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(1, 50), max_size=40), min_size=1, max_size=8), st.integers(1, 32))
def test_padded_length_and_mask_match_real_tokens(seqs, length):
    ids, mask = pad_batch(seqs, length)
    assert ids.shape == (len(seqs), length)
    for row, seq in enumerate(seqs):
        n = min(len(seq), length)
        assert mask[row].sum() == n
        assert mask[row, :n].all() and not mask[row, n:].any()
        assert (ids[row, n:] == PAD_ID).all()
        assert ids[row, :n].tolist() == seq[:n]
