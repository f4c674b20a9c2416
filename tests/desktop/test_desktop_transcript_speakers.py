"""The transcript panel says who speaks each segment, from the video's stored speech turns."""

from __future__ import annotations

from hhir.store import Store
from hhir.types import PersonBox, PersonTrack, SpeechTurn
from hhir_studio.transcript.panel import SPEAKER_COLUMN, TEXT_COLUMN


def test_each_segment_shows_its_speaker(filled_db, open_window):
    db, video_id = filled_db
    with Store(db) as store:
        store.set_people(video_id, [PersonTrack(0, 0, 0, (PersonBox(0, 0.1, 0.1, 0.5, 0.9, 0.9), PersonBox(30, 0.1, 0.1, 0.5, 0.9, 0.9)))],
                         [[0]], "test")
        track = store.person_tracks(video_id)[0]
        store.name_character(store.characters(video_id)[0].id, "Ada", "ann")
        # the first segment's voice is seen speaking (Ada's track); the second's is off screen
        store.set_speech_turns(video_id, [SpeechTurn(0, video_id, 0.2, 2.3, 0, track.id, track.character_id),
                                          SpeechTurn(0, video_id, 3.5, 6.0, 1)], "test")
    window = open_window(db)
    window.open_video(video_id)
    table = window.transcript.table
    assert table.horizontalHeaderItem(SPEAKER_COLUMN).text() == "Speaker"
    assert [table.item(r, SPEAKER_COLUMN).text() for r in range(table.rowCount())] == ["Ada", "voice 1"]
    assert table.item(1, TEXT_COLUMN).text() == "It is next to the old bridge."


def test_no_speech_turns_leave_the_column_empty(filled_db, open_window):
    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    table = window.transcript.table
    assert [table.item(r, SPEAKER_COLUMN).text() for r in range(table.rowCount())] == ["", ""]


def test_a_voice_not_seen_speaking_takes_the_character_shown_alone_while_it_speaks(filled_db, open_window):
    """The second voice is never linked to a moving mouth, but only Bo is on screen while it speaks
    (shots 75-120 and 120-150 at 25 fps): the transcript names Bo, as the pair suggestions do."""
    db, video_id = filled_db
    face = (0.55, 0.1, 0.85, 0.5, 0.6, 0.2, 0.8, 0.2, 0.7, 0.3, 0.7, 0.4, 0.56, 0.25, 0.84, 0.25)
    ada = PersonTrack(0, 0, 0, (PersonBox(0, 0.1, 0.1, 0.5, 0.9, 0.9), PersonBox(30, 0.1, 0.1, 0.5, 0.9, 0.9)))
    bo = [PersonTrack(0, 0, shot, tuple(PersonBox(f, 0.5, 0.1, 0.9, 0.9, 0.9, "detector", face) for f in range(a, b, 5)))
          for shot, (a, b) in ((2, (75, 120)), (3, (120, 150)))]
    with Store(db) as store:
        store.set_people(video_id, [ada, *bo], [[0], [1, 2]], "test")
        characters = store.characters(video_id)
        store.name_character(characters[0].id, "Ada", "ann")
        store.name_character(characters[1].id, "Bo", "ann")
        store.set_speech_turns(video_id, [SpeechTurn(0, video_id, 0.2, 2.3, 0), SpeechTurn(0, video_id, 3.5, 6.0, 1)], "test")
    window = open_window(db)
    window.open_video(video_id)
    table = window.transcript.table
    # Ada's boxes show no face: nobody is seen alone while the first voice speaks, so it stays a voice
    assert [table.item(r, SPEAKER_COLUMN).text() for r in range(table.rowCount())] == ["voice 0", "Bo"]
