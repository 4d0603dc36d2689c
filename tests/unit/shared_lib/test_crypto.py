import pytest
from cryptography.exceptions import InvalidTag

from shared.crypto import LEGACY_KEY_ID, BlindIndex, FieldCipher, Keyring, UnknownKey, derive_key


def test_a_field_decrypts_to_what_was_encrypted_and_never_repeats() -> None:
    cipher = FieldCipher(derive_key("secret", "nik"), b"clients.nik")
    first, second = cipher.encrypt("3273014506900007"), cipher.encrypt("3273014506900007")
    assert first != second  # a fresh nonce each time
    assert b"3273014506900007" not in first
    assert cipher.decrypt(first) == "3273014506900007"


def test_a_ciphertext_is_bound_to_its_key_and_column() -> None:
    blob = FieldCipher(derive_key("secret", "nik"), b"clients.nik").encrypt("x")
    with pytest.raises(InvalidTag):
        FieldCipher(derive_key("other", "nik"), b"clients.nik").decrypt(blob)
    with pytest.raises(InvalidTag):
        FieldCipher(derive_key("secret", "nik"), b"clients.phone").decrypt(blob)


def test_the_blind_index_is_stable_and_keyed() -> None:
    index = BlindIndex(derive_key("k", "idx"))
    assert index.digest("3273014506900007") == index.digest("3273014506900007")
    assert index.digest("3273014506900007") != BlindIndex(derive_key("k2", "idx")).digest(
        "3273014506900007"
    )
    assert derive_key("k", "a") != derive_key("k", "b")


def test_a_keyring_names_the_key_and_still_reads_the_old_ones() -> None:
    old = Keyring.from_secrets("2026-01=first", "nik", b"clients.nik")
    blob = old.encrypt("3273014506900007")
    assert Keyring.key_id(blob) == "2026-01" and b"3273014506900007" not in blob
    rotated = Keyring.from_secrets("2026-12=second,2026-01=first", "nik", b"clients.nik")
    assert rotated.decrypt(blob) == "3273014506900007"
    assert not rotated.is_current(blob)
    fresh = rotated.encrypt("3273014506900007")
    assert rotated.is_current(fresh) and Keyring.key_id(fresh) == "2026-12"
    with pytest.raises(UnknownKey):
        Keyring.from_secrets("2026-12=second", "nik", b"clients.nik").decrypt(blob)


def test_a_keyring_reads_ciphertexts_written_before_key_ids_with_the_legacy_key() -> None:
    legacy = FieldCipher(derive_key("dev", "nik"), b"clients.nik").encrypt("3273014506900007")
    ring = Keyring.from_secrets("2=new", "nik", b"clients.nik", legacy_secret="dev")
    assert Keyring.key_id(legacy) == LEGACY_KEY_ID
    assert ring.decrypt(legacy) == "3273014506900007"
    with pytest.raises(UnknownKey):
        Keyring.from_secrets("2=new", "nik", b"clients.nik").decrypt(legacy)


def test_a_ciphertext_cannot_be_relabelled_with_another_key_id() -> None:
    ring = Keyring.from_secrets("a=same,b=same", "nik", b"clients.nik")
    blob = ring.encrypt("x")
    forged = blob[:2] + b"b" + blob[3:]  # same secret behind both ids: only the label differs
    with pytest.raises(InvalidTag):
        ring.decrypt(forged)


def test_a_keyring_refuses_a_malformed_specification() -> None:
    for spec in ("", "nosecret", "id=", "bad id=x"):
        with pytest.raises(ValueError):
            Keyring.from_secrets(spec, "nik", b"clients.nik")
