import pytest
from cryptography.exceptions import InvalidTag

from shared.crypto import BlindIndex, FieldCipher, derive_key


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
