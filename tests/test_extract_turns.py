from provcat.extract.turns import find_turns, is_anonymous_label, label_name, speaker_labels


def test_common_label_forms() -> None:
    text = ("**Tim Smith:** Hello.\n\n**Jeff Robbins:** Hi Tim.\n"
            "MS. JEAN-PIERRE:  All right.\nQ  A question?\n"
            "<br/><strong>Mr. NORTH</strong>: I do.\nJonas Rosland  0:00  \nWelcome.\n")
    assert speaker_labels(text) == ["Tim Smith", "Jeff Robbins", "MS. JEAN-PIERRE", "Q", "Mr. NORTH",
                                    "Jonas Rosland"]


def test_turn_spans_cover_the_words_spoken() -> None:
    text = "**Tim Smith:** Hello there.\n\n**Jeff Robbins:** Hi Tim.\n"
    turns = find_turns(text)
    assert [text[t.start:t.end] for t in turns] == ["Hello there.", "Hi Tim."]
    assert [text[t.label_start:t.label_end] for t in turns] == ["Tim Smith", "Jeff Robbins"]


def test_label_names() -> None:
    assert label_name("MS. JEAN-PIERRE") == "Jean-Pierre"
    assert label_name("Mr. NORTH") == "North"
    assert label_name("Tim Smith") == "Tim Smith"
    assert is_anonymous_label("Q") and is_anonymous_label("THE PRESIDENT")
    assert not is_anonymous_label("MR. SULLIVAN")


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
