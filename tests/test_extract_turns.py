from provcat.extract.turns import find_turns, is_anonymous_label, label_name, speaker_labels


def test_common_label_forms() -> None:
    text = ("**Oskar Vell:** Hello.\n\n**Maren Tolliver:** Hi Oskar.\n"
            "MS. DUFRESNE-KERROW:  All right.\nQ  A question?\n"
            "<br/><strong>Mr. ARDMORE</strong>: I do.\nLinnea Sorrel  0:00  \nWelcome.\n")
    assert speaker_labels(text) == ["Oskar Vell", "Maren Tolliver", "MS. DUFRESNE-KERROW", "Q", "Mr. ARDMORE",
                                    "Linnea Sorrel"]


def test_turn_spans_cover_the_words_spoken() -> None:
    text = "**Oskar Vell:** Hello there.\n\n**Maren Tolliver:** Hi Oskar.\n"
    turns = find_turns(text)
    assert [text[t.start:t.end] for t in turns] == ["Hello there.", "Hi Oskar."]
    assert [text[t.label_start:t.label_end] for t in turns] == ["Oskar Vell", "Maren Tolliver"]


def test_label_names() -> None:
    assert label_name("MS. DUFRESNE-KERROW") == "Dufresne-Kerrow"
    assert label_name("Mr. ARDMORE") == "Ardmore"
    assert label_name("Oskar Vell") == "Oskar Vell"
    assert is_anonymous_label("Q") and is_anonymous_label("THE PRESIDENT")
    assert not is_anonymous_label("MR. BRANNOCK")


def test_prose_has_no_labels() -> None:
    assert speaker_labels("Note: this is prose.\nThe minister said: we will act.") == []


def test_full_name_and_title_then_surname() -> None:
    text = ("JOHN SMITH, SECRETARY OF STATE: Thank you all.\nQ: A question.\nSMITH: An answer.\n"
            "Jane Doe, Chief Executive: Hello there.\n")
    assert speaker_labels(text) == ["JOHN SMITH", "Q", "SMITH", "Jane Doe"]


def test_anonymous_diarization_labels_are_turns_anywhere_in_a_line() -> None:
    from provcat.extract.turns import find_labels

    text = ("SPEAKER 1: welcome everyone to the meeting of the\nboard tonight okay SPEAKER 2: thank\n"
            "you so we start SPEAKER_01: go ahead\nas the speaker 4: said")
    assert [label for _, _, label in find_labels(text)] == ["SPEAKER 1", "SPEAKER 2", "SPEAKER_01"]
