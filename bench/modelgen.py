"""Random-weight models built locally (no hub): tiny ones for tests, real-size ones for benchmarks.

Speed does not depend on the weights' values, and the code paths (tokenizer, generate, CTranslate2
conversion) are the real ones, so these stand in for opus-mt and distilbart where no weights can be
downloaded.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CORPUS = [
    "The Syrian army said the ceasefire was over after rebels attacked hundreds of times.",
    "Kremlin spokesman Dmitry Peskov said there was very little hope the truce would resume.",
    "The United Nations said an aid convoy was hit near Aleppo and trucks were destroyed.",
    "Сирийская армия объявила о завершении перемирия после многочисленных нарушений.",
    "Песков заявил, что надежды на возобновление перемирия в Сирии очень мало.",
    "В ООН сообщили, что гуманитарный конвой под Алеппо попал под удар.",
    "أعلن الجيش السوري انتهاء الهدنة بعد خروقات متكررة من فصائل المعارضة.",
    "قال بيسكوف إن الأمل في استئناف الهدنة ضئيل جدا.",
    "وقالت الأمم المتحدة إن قافلة مساعدات تعرضت لهجوم قرب حلب.",
    "0 1 2 3 4 5 6 7 8 9 , . ! ? « » \" ' ( ) - :",
]


@dataclass(frozen=True)
class MarianSize:
    d_model: int = 16
    layers: int = 1
    heads: int = 2
    ffn: int = 32
    vocab: int = 300
    max_positions: int = 128


TINY = MarianSize()
# Helsinki-NLP opus-mt-*: d_model 512, 6+6 layers, 8 heads, ffn 2048, vocab ~58k.
OPUS_MT = MarianSize(d_model=512, layers=6, heads=8, ffn=2048, vocab=58_000, max_positions=512)


def train_sentencepiece(out_prefix: Path, vocab_size: int, corpus: list[str] | None = None) -> Path:
    """A unigram sentencepiece model over `corpus` (repeated with variations for bigger vocabs)."""
    import sentencepiece as spm

    lines = list(corpus or DEFAULT_CORPUS)
    if vocab_size > 1000:
        # A large vocabulary needs many distinct pieces: synthesise pseudo-words.
        import random

        rng = random.Random(0)
        letters = (
            "abcdefghijklmnopqrstuvwxyzабвгдежзиклмнопрстуфхцчшщыэюяابتثجحخدذرزسشصضطظعغفقكلمنهوي"
        )
        for _ in range(vocab_size // 4):
            lines.append(
                " ".join(
                    "".join(rng.choice(letters) for _ in range(rng.randint(3, 9)))
                    for _ in range(12)
                )
            )
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(lines))
        corpus_path = f.name
    spm.SentencePieceTrainer.train(
        input=corpus_path,
        model_prefix=str(out_prefix),
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        bos_id=-1,
        eos_id=-1,
        unk_id=0,
        pad_id=-1,
        hard_vocab_limit=False,
        minloglevel=2,
        num_threads=2,
    )
    Path(corpus_path).unlink()
    return out_prefix.with_suffix(".model")


def build_marian(out: Path, size: MarianSize = TINY, seed: int = 0, init_std: float = 0.02) -> Path:
    """A random-weight MarianMT folder (config, weights, source/target.spm, vocab.json)."""
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        spm_path = train_sentencepiece(Path(tmp) / "spm", size.vocab)
        shutil.copy(spm_path, out / "source.spm")
        shutil.copy(spm_path, out / "target.spm")
    sp = spm.SentencePieceProcessor(model_file=str(out / "source.spm"))
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    # Marian's layout: </s> = 0, <unk> = 1, ..., and <pad> LAST (CTranslate2 insists on it).
    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for p in pieces:
        if p not in vocab and p not in ("<pad>",):
            vocab[p] = len(vocab)
    vocab["<pad>"] = len(vocab)
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False))
    torch.manual_seed(seed)
    config = MarianConfig(
        vocab_size=len(vocab),
        decoder_vocab_size=len(vocab),
        d_model=size.d_model,
        encoder_layers=size.layers,
        decoder_layers=size.layers,
        encoder_attention_heads=size.heads,
        decoder_attention_heads=size.heads,
        encoder_ffn_dim=size.ffn,
        decoder_ffn_dim=size.ffn,
        max_position_embeddings=size.max_positions,
        pad_token_id=vocab["<pad>"],
        eos_token_id=0,
        decoder_start_token_id=vocab["<pad>"],
        forced_eos_token_id=0,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        # Large random weights make outputs depend on the input (tests tell results apart).
        init_std=init_std,
    )
    model = MarianMTModel(config)
    model.eval()
    model.save_pretrained(out)
    tok = MarianTokenizer(
        source_spm=str(out / "source.spm"),
        target_spm=str(out / "target.spm"),
        vocab=str(out / "vocab.json"),
        model_max_length=size.max_positions,
    )
    tok.save_pretrained(out)
    return out


def convert_marian_to_ct2(src: Path, out: Path, quantization: str = "int8") -> Path:
    from dragoman.pull import convert_to_ct2

    convert_to_ct2(src, out, quantization)
    return out


@dataclass(frozen=True)
class BartSize:
    d_model: int = 16
    encoder_layers: int = 1
    decoder_layers: int = 1
    heads: int = 2
    ffn: int = 32
    vocab: int = 400
    max_positions: int = 256


TINY_BART = BartSize()
# sshleifer/distilbart-cnn-6-6: BART-large width (1024, 16 heads, ffn 4096), 6+6 layers, 50k vocab.
DISTILBART_6_6 = BartSize(
    d_model=1024,
    encoder_layers=6,
    decoder_layers=6,
    heads=16,
    ffn=4096,
    vocab=50_265,
    max_positions=1024,
)


def build_bart(
    out: Path, size: BartSize = TINY_BART, seed: int = 0, init_std: float = 0.02
) -> Path:
    """A random-weight BART summariser with a byte-level BPE tokenizer trained locally."""
    import torch
    from tokenizers import ByteLevelBPETokenizer, processors
    from transformers import BartConfig, BartForConditionalGeneration, PreTrainedTokenizerFast

    out.mkdir(parents=True, exist_ok=True)
    special = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        DEFAULT_CORPUS * 3,
        vocab_size=min(size.vocab, 1000),
        special_tokens=special,
        show_progress=False,
    )
    bpe.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0))
    tok = PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        mask_token="<mask>",
        model_max_length=size.max_positions,
    )
    tok.save_pretrained(out)
    torch.manual_seed(seed)
    config = BartConfig(
        vocab_size=max(size.vocab, bpe.get_vocab_size()),
        d_model=size.d_model,
        encoder_layers=size.encoder_layers,
        decoder_layers=size.decoder_layers,
        encoder_attention_heads=size.heads,
        decoder_attention_heads=size.heads,
        encoder_ffn_dim=size.ffn,
        decoder_ffn_dim=size.ffn,
        max_position_embeddings=size.max_positions,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_bos_token_id=0,
        # CTranslate2's converter reads these.
        normalize_before=False,
        add_final_layer_norm=False,
        normalize_embedding=True,
        init_std=init_std,
    )
    model = BartForConditionalGeneration(config)
    model.eval()
    model.save_pretrained(out)
    return out
