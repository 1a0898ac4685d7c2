"""Diagnostics in the student's language: ``say(key, lang, **values)`` and ``speaking``.

The mechanism, and the catalogue of ``minicnn.gradcheck``'s sentences in Korean and
English. It imports nothing from minicnn, so both gradcheck and the labs' grader
(``minicnn.lab.messages``, which adds the grader's sentences) can use it: the
imports run one way, lab → gradcheck → messages.

    say("gc.zero", "ko", ours="dL/dx")  # 'dL/dx이(가) 모두 0입니다: ...'

Korean reads as an instructor speaks, with the English term in parentheses on its
first use in a sentence (the terms of docs/glossary.ko.md). The language is the one
``speaking(lang)`` set for this thread (``--lang``), English by default.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator, Mapping

LANGS = ("en", "ko")
HANGUL = re.compile("[\uac00-\ud7a3]")

MESSAGES: dict[str, dict[str, str]] = {
    # -- hints and per-tensor explanations (gradcheck's report)
    "gc.ours": {"en": "the analytic gradient", "ko": "해석적 기울기(analytic gradient)"},
    "gc.theirs": {"en": "the numerical one", "ko": "수치 기울기(numerical gradient)"},
    "gc.nan": {
        "en": "{ours} contains NaN or infinity (a division by zero, or exp/log of an extreme "
        "value?)",
        "ko": "{ours}에 NaN이나 무한대가 있습니다(0으로 나누었거나, 극단적인 값의 exp/log?)",
    },
    "gc.zero": {
        "en": "{ours} is zero everywhere: backward never fills it in",
        "ko": "{ours}이(가) 모두 0입니다: backward가 값을 채우지 않습니다",
    },
    "gc.sign": {
        "en": "sign flipped: {ours} is minus {theirs} everywhere (a difference taken the wrong "
        "way round, or -= for +=)",
        "ko": "부호가 반대입니다: {ours}이(가) 어디서나 {theirs}의 음수입니다(차이를 거꾸로 "
        "뺐거나, += 대신 -=를 썼나요?)",
    },
    "gc.transposed": {
        "en": "transposed: {ours} is {theirs} transposed (swap the operands of the matrix "
        "product, or add .T)",
        "ko": "전치되었습니다(transposed): {ours}이(가) {theirs}을(를) 전치한 것입니다(행렬 "
        "곱의 두 피연산자를 바꾸거나 .T를 붙이세요)",
    },
    "gc.rot180": {
        "en": "rotated by 180°: {ours} is {theirs} with both spatial axes flipped; the kernel "
        "needs rot180 here (dL/dX = dL/dY full-convolved with K, i.e. cross-correlated with "
        "rot180(K)), or it is flipped where it should not be",
        "ko": "180° 회전되었습니다: {ours}이(가) {theirs}의 두 공간 축을 뒤집은 것입니다. "
        "여기서 커널에 rot180이 필요하거나(dL/dX는 dL/dY와 K의 완전 합성곱(full "
        "convolution), 즉 dL/dY와 rot180(K)의 교차상관(cross-correlation)입니다), 뒤집지 "
        "말아야 할 곳에서 뒤집었습니다",
    },
    "gc.axes": {
        "en": "axes swapped: {ours} has the filter and channel axes (K, C) exchanged",
        "ko": "축이 바뀌었습니다: {ours}에서 필터 축과 채널 축(K, C)이 서로 바뀌었습니다",
    },
    "gc.mask_inverted": {
        "en": "a mask is inverted: {ours} is 0 where {theirs} is not, and the other way round "
        "(e.g. at {first})",
        "ko": "마스크가 뒤집혔습니다: {theirs}이(가) 0이 아닌 곳에서 {ours}은(는) 0이고, "
        "그 반대도 마찬가지입니다(예: {first})",
    },
    "gc.mask_blocks": {
        "en": "zero where a mask should pass: {ours} is 0 at {count} entries where {theirs} is "
        "not (e.g. at {first}), and agrees everywhere else; the mask (ReLU's x > 0, the max "
        "of a pooling window) is taken from the wrong array or points at the wrong element",
        "ko": "마스크가 통과시켜야 할 곳이 0입니다: {theirs}이(가) 0이 아닌 {count}곳에서 "
        "{ours}이(가) 0이고(예: {first}), 나머지는 모두 같습니다. 마스크(ReLU의 x > 0, "
        "풀링 윈도우의 최댓값)를 엉뚱한 배열에서 만들었거나 엉뚱한 원소를 가리킵니다",
    },
    "gc.mask_missing": {
        "en": "a mask is missing: {ours} is non-zero at {count} entries where {theirs} is 0 "
        "(e.g. at {first}), and agrees everywhere else; multiply by the mask (ReLU's x > 0, "
        "dropout's mask) or send the gradient only to each pooling window's maximum",
        "ko": "마스크가 빠졌습니다: {theirs}이(가) 0인 {count}곳에서 {ours}이(가) 0이 "
        "아니고(예: {first}), 나머지는 모두 같습니다. 마스크(ReLU의 x > 0, 드롭아웃의 "
        "마스크)를 곱하거나, 기울기를 풀링 윈도우의 최댓값에만 보내세요",
    },
    "gc.div_batch": {
        "en": "off by the batch size: {ours} is 1/{batch} of {theirs} (N = {batch}): backward "
        "divides by N where the forward does not (a mean where a sum belongs?)",
        "ko": "배치 크기만큼 틀렸습니다: {ours}이(가) {theirs}의 1/{batch}입니다(N = "
        "{batch}). 순전파는 N으로 나누지 않는데 역전파가 나눕니다(합이어야 할 곳에 평균?)",
    },
    "gc.times_batch": {
        "en": "off by the batch size: {ours} is {batch} times {theirs} (N = {batch}): the "
        "forward averages over the batch, so backward must divide by N as well",
        "ko": "배치 크기만큼 틀렸습니다: {ours}이(가) {theirs}의 {batch}배입니다(N = "
        "{batch}). 순전파가 배치에 대해 평균하므로 역전파도 N으로 나눠야 합니다",
    },
    "gc.div_k": {
        "en": "{ours} is 1/{k} of {theirs}: backward divides by {k} (a mean over {k} values "
        "where the forward sums?)",
        "ko": "{ours}이(가) {theirs}의 1/{k}입니다: 역전파가 {k}로 나눕니다(순전파는 더하는데 "
        "값 {k}개의 평균을 냈나요?)",
    },
    "gc.times_k": {
        "en": "{ours} is {k} times {theirs}: something is counted {k} times",
        "ko": "{ours}이(가) {theirs}의 {k}배입니다: 무언가를 {k}번 셌습니다",
    },
    "gc.factor": {
        "en": "{ours} is {c:.4g} times {theirs} everywhere: a constant factor is wrong",
        "ko": "{ours}이(가) 어디서나 {theirs}의 {c:.4g}배입니다: 상수 배가 틀렸습니다",
    },
    "gc.explain.ok": {
        "en": "{name}: backward matches central differences for every tensor.",
        "ko": "{name}: 모든 텐서에서 backward가 중앙 차분과 일치합니다.",
    },
    "gc.explain.head": {"en": "{name}: what is wrong:", "ko": "{name}: 틀린 곳:"},
    "gc.explain.input": {
        "en": "dL/dx, the value backward returns,",
        "ko": "dL/dx(backward가 돌려주는 값)이",
    },
    "gc.explain.scores": {
        "en": "dL/dscores, the value backward returns,",
        "ko": "dL/dscores(backward가 돌려주는 값)이",
    },
    "gc.explain.param": {
        "en": "dL/d{tensor}, what backward adds to {tensor}.grad,",
        "ko": "dL/d{tensor}({tensor}.grad에 backward가 더하는 값)이",
    },
    "gc.explain.line": {
        "en": "{what} does not match central differences; worst at index {index}: analytic "
        "{analytic:.6g}, numerical {numeric:.6g}",
        "ko": "{what} 중앙 차분과 다릅니다. 가장 큰 차이는 인덱스 {index}: 해석적 "
        "{analytic:.6g}, 수치 {numeric:.6g}",
    },
    "gc.hint": {"en": "hint", "ko": "힌트"},
    "gc.dx_without_rot180": {
        "en": "dX without rot180: your dL/dx is dL/dy full-correlated with the kernel K itself, "
        "which is the true dL/dx of a layer whose kernel is rot180(K). The kernel must be "
        "rotated by 180° (both spatial axes flipped, and for several channels its in/out "
        "axes swapped): dL/dX = dL/dY full-convolved with K, i.e. cross-correlated with "
        "rot180(K)",
        "ko": "rot180 없는 dX: dL/dx를 dL/dy와 커널 K 자체의 완전 교차상관(full "
        "correlation)으로 구했습니다. 이것은 커널이 rot180(K)인 층의 진짜 dL/dx입니다. 커널을 "
        "180° 회전해야 합니다(두 공간 축을 뒤집고, 채널이 여럿이면 입력·출력 축도 바꿉니다). "
        "dL/dX는 dL/dY와 K의 완전 합성곱(full convolution), 즉 dL/dY와 rot180(K)의 "
        "교차상관(cross-correlation)입니다",
    },
    # -- a gradient that cannot be compared at all
    "gc.where.returned": {"en": "backward returned", "ko": "backward가 돌려준 값의"},
    "gc.where.grad": {"en": "{name}.grad is", "ko": "{name}.grad의"},
    "gc.grad.none_returned": {
        "en": "backward returned None: end backward with `return d{like}`, dL/d{like} of "
        "shape {shape} (the shape of {like})",
        "ko": "backward가 None을 돌려주었습니다: backward 마지막에 `return d{like}`를 "
        "쓰세요. 돌려줄 값은 dL/d{like}이고, 모양(shape)은 {like}와 같은 {shape}입니다",
    },
    "gc.grad.none_param": {
        "en": "{name}.grad is None: add into it (`self.{name}.grad += ...`), do not replace it",
        "ko": "{name}.grad가 None입니다: 새 값으로 바꿔 넣지 말고 더해 주세요"
        "(`self.{name}.grad += ...`)",
    },
    "gc.grad.type": {
        "en": "{where} a {type}, not a NumPy array of shape {shape}",
        "ko": "{where} 형(type)이 {type}입니다. 모양(shape)이 {shape}인 NumPy 배열이어야 합니다",
    },
    "gc.grad.shape": {
        "en": "{where} shape {got}, but {like} has shape {shape}: a gradient has the shape "
        "of what it differentiates",
        "ko": "{where} 모양(shape)이 {got}인데, {like}의 모양은 {shape}입니다. 기울기"
        "(gradient)는 미분하는 대상과 모양이 같아야 합니다",
    },
    "gc.grad.shape.transposed": {
        "en": "; it is transposed (swap the operands of the matrix product, or add .T)",
        "ko": ". 전치되어(transposed) 있습니다: 행렬 곱의 두 피연산자를 바꾸거나 .T를 붙이세요",
    },
    "gc.grad.shape.batch_kept": {
        "en": "; it still has the batch axis: sum over axis 0 (a weight shared by every sample "
        "gets the sum of their gradients)",
        "ko": ". 배치(batch) 축이 아직 남아 있습니다: 축 0을 따라 더하세요(모든 샘플이 함께 "
        "쓰는 가중치는 샘플별 기울기를 모두 더한 값을 받습니다)",
    },
    "gc.grad.shape.batch_missing": {
        "en": "; the batch axis is missing",
        "ko": ". 배치(batch) 축이 빠졌습니다",
    },
    "gc.grad.shape.reshape": {
        "en": "; the number of elements is right: reshape it (`.reshape({like}.shape)`)",
        "ko": ". 원소 개수는 맞으니 모양만 바꾸면 됩니다(`.reshape({like}.shape)`)",
    },
    "gc.grad.dtype": {
        "en": "{where} dtype {dtype}, but the check runs in float64: do not cast "
        "(`.astype(np.float32)`) or create arrays with a fixed dtype in backward; "
        "`np.zeros_like(x)` keeps x's dtype",
        "ko": "{where} 자료형(dtype)이 {dtype}입니다. 기울기 확인(gradient check)은 float64로 "
        "합니다: backward 안에서 형을 바꾸거나(`.astype(np.float32)`) 자료형을 못박아 "
        "배열을 만들지 마세요. `np.zeros_like(x)`는 x의 자료형을 그대로 씁니다",
    },
    # -- forward's output
    "gc.out.none": {
        "en": "forward returned None: end forward with `return y`",
        "ko": "forward가 None을 돌려주었습니다: forward 마지막에 `return y`를 쓰세요",
    },
    "gc.out.type": {
        "en": "forward returned a {type}, not a NumPy array",
        "ko": "forward가 NumPy 배열이 아니라 {type}을(를) 돌려주었습니다",
    },
    "gc.out.dtype": {
        "en": "forward returned dtype {dtype} for a float64 input: a gradient check needs "
        "float64 end to end (do not cast to float32; `np.zeros_like(x)` or `dtype=x.dtype` "
        "keep the input's dtype)",
        "ko": "입력은 float64인데 forward가 자료형(dtype) {dtype}을(를) 돌려주었습니다. 기울기 "
        "확인(gradient check)은 처음부터 끝까지 float64여야 합니다(float32로 바꾸지 마세요. "
        "`np.zeros_like(x)`나 `dtype=x.dtype`을 쓰면 입력의 자료형이 유지됩니다)",
    },
    "gc.loss.none": {
        "en": "forward returned None: end forward with `return loss`",
        "ko": "forward가 None을 돌려주었습니다: forward 마지막에 `return loss`를 쓰세요",
    },
    "gc.loss.type": {
        "en": "forward returned a {type}, not a number",
        "ko": "forward가 숫자가 아니라 {type}을(를) 돌려주었습니다",
    },
    "gc.loss.shape": {
        "en": "forward returned shape {shape}: a loss returns one number (the mean or sum over "
        "the batch) or one loss per sample, shape ({batch}, ...)",
        "ko": "forward가 모양(shape) {shape}을(를) 돌려주었습니다. 손실(loss)은 숫자 하나"
        "(배치에 대한 평균이나 합)이거나, 샘플마다 하나씩인 모양 ({batch}, ...)이어야 합니다",
    },
    # -- what the layer does besides its gradients
    "gc.what.input": {"en": "input x", "ko": "입력 x"},
    "gc.what.scores": {"en": "scores", "ko": "점수(scores)"},
    "gc.forward_changed_input": {
        "en": "forward modified its {what} in place (e.g. `x[x < 0] = 0`, `x -= mean` or "
        "`x *= mask`): in a network x is the previous layer's output, which that layer's "
        "backward still needs. Build a new array instead (`np.maximum(x, 0)`, `x - mean`) "
        "or copy first (`x = x.copy()`). The gradients were checked on a fresh copy of x "
        "for every call, so they are judged on their own.",
        "ko": "forward가 {what}을(를) 제자리에서(in place) 바꿨습니다(예: `x[x < 0] = 0`, "
        "`x -= mean`, `x *= mask`). 신경망에서 x는 앞 층의 출력이고, 그 층의 backward가 아직 "
        "그 값을 씁니다. 새 배열을 만들거나(`np.maximum(x, 0)`, `x - mean`) 먼저 복사하세요"
        "(`x = x.copy()`). 기울기는 호출할 때마다 x의 새 복사본으로 확인했으니, 기울기 "
        "판정은 이 문제와 따로 봅니다.",
    },
    "gc.backward_changed_dout": {
        "en": "backward modified dout in place (e.g. `dout[x <= 0] = 0` or `dout *= mask`): "
        "dout belongs to the caller, and in a Residual block the same dout also flows down "
        "the shortcut, which would then receive the changed values. Build a new array "
        "instead (`dx = dout * mask`) or copy first (`dout = dout.copy()`).",
        "ko": "backward가 dout을 제자리에서(in place) 바꿨습니다(예: `dout[x <= 0] = 0`, "
        "`dout *= mask`). dout은 호출한 쪽의 것입니다. 잔차 블록(Residual)에서는 같은 dout이 "
        "스킵 연결(shortcut)로도 흘러가는데, 그쪽이 바뀐 값을 받게 됩니다. 새 배열을 "
        "만들거나(`dx = dout * mask`) 먼저 복사하세요(`dout = dout.copy()`).",
    },
    "gc.backward_changed_input": {
        "en": "backward modified the {what} that forward received (the array it cached) in "
        "place; x belongs to the layer before. Build new arrays in backward instead.",
        "ko": "backward가, forward에서 받아 캐시에 넣어 둔 {what}을(를) 제자리에서(in "
        "place) 바꿨습니다. 그 배열은 앞 층의 것입니다. backward에서는 새 배열을 만드세요.",
    },
    "gc.stale_cache": {
        "en": "stale cache: after a forward pass on a second, different input, {what} differs "
        "from what a fresh copy of the layer gives for that input, so it still uses values "
        "cached on the first call. Save what backward needs on every forward call, as "
        "minicnn's layers do: `self.save_for_backward(cache, y.shape)` in forward and "
        "`self.saved_cache(dout)` in backward, with no `if` around the saving (such as "
        "`if self.mask is None:`).",
        "ko": "낡은 캐시(stale cache): 두 번째로 다른 입력을 순전파(forward pass)했더니 "
        "{what} 값이 새로 만든 같은 층이 그 입력에 내는 값과 다릅니다. 첫 호출 때 캐시에 "
        "넣은 값을 아직 쓰고 있다는 뜻입니다. minicnn의 층들처럼, backward에 필요한 값은 "
        "forward를 부를 때마다 `self.save_for_backward(cache, y.shape)`로 맡겨 두고 "
        "backward에서 `self.saved_cache(dout)`로 돌려받으세요. 맡겨 두는 줄 둘레에 "
        "`if self.mask is None:` 같은 조건을 두지 마세요.",
    },
    "gc.stale.output": {"en": "forward's output", "ko": "forward의 출력"},
    "gc.stale.gradient": {"en": "the gradient of {names}", "ko": "{names}의 기울기"},
    "gc.second_call_raised": {
        "en": "a second forward and backward pass, on a different input, raised {error}: "
        "{message}; a layer must work on every call, not only the first",
        "ko": "다른 입력으로 순전파(forward pass)와 역전파(backward pass)를 한 번 더 했더니 "
        "{error}가 났습니다: {message}. 층은 첫 호출만이 아니라 매번 제대로 돌아야 합니다",
    },
    "gc.param.not_yielded": {
        "en": "Parameter not registered: {cls}.{name} is a Parameter, but your parameters() "
        "does not yield it, so no optimizer would train it; delete your parameters() "
        "method: mc.Layer finds every Parameter attribute such as `self.{attr}` by itself, "
        "as it does for minicnn's own layers",
        "ko": "등록되지 않은 파라미터(Parameter): {cls}.{name}은(는) Parameter인데 직접 쓴 "
        "parameters()가 내주지 않아서, 어떤 옵티마이저(optimizer)도 학습시키지 않습니다. "
        "그 parameters() 메서드를 지우세요. minicnn의 층들처럼 `self.{attr}` 같은 "
        "Parameter 속성은 mc.Layer가 알아서 찾습니다",
    },
    "gc.param.in_container": {
        "en": "Parameter not registered: {cls} keeps Parameters in {where} (a {type}), where "
        "named_parameters() does not find them, so they are neither checked nor trained; "
        "store each Parameter as its own attribute (`self.weight = Parameter(...)`), which "
        "mc.Layer finds by itself",
        "ko": "등록되지 않은 파라미터(Parameter): {cls}이(가) 파라미터를 {where}({type})에 "
        "담아 두었습니다. named_parameters()는 거기서 찾지 못하므로 확인도 학습도 되지 "
        "않습니다. 파라미터를 하나씩 속성으로 저장하세요(`self.weight = Parameter(...)`). "
        "속성으로 두면 mc.Layer가 알아서 찾습니다",
    },
    # -- comparing the forward with minicnn's reference layer
    "gc.ref.class": {
        "en": "reference must be a minicnn layer or loss instance built with the same "
        "arguments, e.g. reference=mc.MaxPool2D(2), not the class {name}",
        "ko": "reference에는 클래스 {name}이(가) 아니라, 같은 인자로 만든 minicnn 층이나 "
        "손실의 인스턴스를 주세요(예: `reference=mc.MaxPool2D(2)`)",
    },
    "gc.ref.missing_param": {
        "en": "the reference {ref} has a parameter {name} of shape {shape}, your layer has "
        "none of that name, so the two cannot be compared with the same weights: name yours "
        "{name} (PyTorch's name)",
        "ko": "기준 층(reference) {ref}에는 모양이 {shape}인 파라미터 {name}이(가) 있는데, "
        "작성한 층에는 그 이름이 없어서 같은 가중치로 비교할 수 없습니다. 파라미터 이름을 "
        "{name}(PyTorch의 이름)으로 지으세요",
    },
    "gc.ref.param_shape": {
        "en": "your parameter {name} has shape {shape}, the reference {ref} stores it as "
        "{ref_shape}: use minicnn's layout",
        "ko": "파라미터 {name}의 모양이 {shape}인데, 기준 층(reference) {ref}은(는) "
        "{ref_shape}로 저장합니다: minicnn의 행렬 구성(layout)을 따르세요",
    },
    "gc.ref.shape": {
        "en": "forward returned shape {shape}, the reference {ref} returns {ref_shape}",
        "ko": "forward 출력의 모양은 {shape}인데, 기준 층(reference) {ref}은(는) "
        "{ref_shape}을(를) 돌려줍니다",
    },
    "gc.ref.differs": {
        "en": "forward differs from the reference {ref}: at index {index} yours is "
        "{yours:.6g}, the reference's {theirs:.6g}",
        "ko": "forward 출력이 기준 층(reference) {ref}와 다릅니다: 인덱스 {index}에서 "
        "작성한 값은 {yours:.6g}, 기준 값은 {theirs:.6g}입니다",
    },
    "gc.ref.hint": {"en": "; hint: {hint}", "ko": ". 힌트: {hint}"},
    "gc.ref.ours": {"en": "your output", "ko": "작성한 출력"},
    "gc.ref.theirs": {"en": "the reference's", "ko": "기준 출력"},
    # -- the command line: what to fix in the arguments
    "gc.use.target": {
        "en": "expected module:ClassName (e.g. my_layer.py:MyConv or "
        "my_package.layers:MyConv), got {target}",
        "ko": "module:ClassName 형식으로 주세요(예: my_layer.py:MyConv, "
        "my_package.layers:MyConv). 받은 값: {target}",
    },
    "gc.use.import": {
        "en": "cannot import module {module} ({err}); give a module importable from the "
        "current directory or a path to a .py file, e.g. my_layer.py:{cls}",
        "ko": "모듈 {module}을(를) import하지 못했습니다({err}). 현재 디렉터리에서 import할 수 "
        "있는 모듈이나 .py 파일의 경로를 주세요(예: my_layer.py:{cls})",
    },
    "gc.use.no_class": {
        "en": "{module} has no {cls}; the layer and loss classes it defines are {found}",
        "ko": "{module}에 {cls}이(가) 없습니다. 이 모듈에 정의된 층과 손실 클래스는 {found}입니다",
    },
    "gc.use.none": {"en": "none", "ko": "하나도 없음"},
    "gc.use.not_layer": {
        "en": "{cls} in {module} is not a subclass of mc.Layer nor a loss (got {got}); write "
        "`class {cls}(mc.Layer):` with forward(x) and backward(dout) (weights as "
        "mc.Parameter attributes), or a loss class with forward(scores, labels) and "
        "backward()",
        "ko": "{module}의 {cls}은(는) mc.Layer의 하위 클래스(subclass)도 아니고 손실도 "
        "아닙니다({got}). forward(x)와 backward(dout)가 있는 `class {cls}(mc.Layer):`로 "
        "쓰거나(가중치는 mc.Parameter 속성으로), forward(scores, labels)와 backward()가 있는 "
        "손실 클래스로 쓰세요",
    },
    "gc.use.no_file": {
        "en": "no such file: {path} (relative to {cwd})",
        "ko": "파일이 없습니다: {path}({cwd} 기준)",
    },
    "gc.use.not_python": {
        "en": "cannot import {path} as Python: name it <something>.py",
        "ko": "{path}을(를) 파이썬 모듈로 import할 수 없습니다: 이름을 <무엇>.py로 지으세요",
    },
    "gc.use.reference": {
        "en": "--reference must name a minicnn layer or loss, e.g. mc.MaxPool2D or "
        "mc.SoftmaxCrossEntropy; got {text}. Layers: {known}",
        "ko": "--reference에는 minicnn의 층이나 손실 이름을 주세요(예: mc.MaxPool2D, "
        "mc.SoftmaxCrossEntropy). 받은 값: {text}. 쓸 수 있는 층: {known}",
    },
    "gc.use.shape": {
        "en": "--input-shape must be positive integers separated by commas, batch axis "
        "first, e.g. 2,3,8,8; got {text}",
        "ko": "--input-shape는 쉼표로 구분한 양의 정수이고, 배치(batch) 축이 맨 앞입니다"
        "(예: 2,3,8,8). 받은 값: {text}",
    },
    "gc.use.literals": {
        "en": "--args/--kwargs must be Python literals, e.g. --args '3, 4' "
        "--kwargs \"{{'stride': 2}}\"; got {args} and {kwargs}",
        "ko": "--args/--kwargs에는 파이썬 리터럴(literal)을 주세요(예: --args '3, 4' "
        "--kwargs \"{{'stride': 2}}\"). 받은 값: {args}, {kwargs}",
    },
    "gc.use.kwargs": {
        "en": "--kwargs must be a dict with string keys, e.g. \"{{'stride': 2}}\"; got {kwargs}",
        "ko": "--kwargs에는 키가 문자열인 dict를 주세요(예: \"{{'stride': 2}}\"). 받은 값: "
        "{kwargs}",
    },
    "gc.use.needs_shape": {
        "en": "checking your own layer needs --input-shape, e.g. --input-shape 2,3,8,8",
        "ko": "직접 작성한 층을 확인하려면 --input-shape가 필요합니다(예: --input-shape 2,3,8,8)",
    },
    "gc.use.loss_shape": {
        "en": "{cls} is a loss: --input-shape is the shape of its scores, N,classes (e.g. "
        "4,5); got {shape}",
        "ko": "{cls}은(는) 손실(loss)입니다: --input-shape는 점수(scores)의 모양인 "
        "N,classes입니다(예: 4,5). 받은 값: {shape}",
    },
    "gc.use.ref_args": {
        "en": "--reference {reference}: minicnn's {cls} cannot be built with your layer's "
        "arguments ({err}); --args/--kwargs must suit both",
        "ko": "--reference {reference}: minicnn의 {cls}을(를) 작성한 층의 인자로 만들 수 "
        "없습니다({err}). --args/--kwargs가 둘 다에 맞아야 합니다",
    },
    "gc.use.no_target": {
        "en": "--input-shape, --args, --kwargs and --reference need a target module:ClassName",
        "ko": "--input-shape, --args, --kwargs, --reference는 확인할 대상 module:ClassName이 "
        "있어야 씁니다",
    },
    # -- the command line's own lines
    "gc.cli.header": {
        "en": "gradient checks on the {backend} backend (central differences, eps={eps}, "
        "float64, pass: max rel error < {tol})",
        "ko": "{backend} 백엔드(backend)에서 기울기 확인(gradient check): 중앙 차분(central "
        "difference), eps={eps}, float64, 통과 기준은 최대 상대 오차 < {tol}",
    },
    "gc.cli.summary": {
        "en": "{passed} passed, {failed} failed",
        "ko": "통과 {passed}개, 실패 {failed}개",
    },
    "gc.cli.error": {"en": "error: {message}", "ko": "오류: {message}"},
    "gc.cli.description": {
        "en": "Check backward passes against central differences (float64): every minicnn "
        "layer, or, given module:ClassName, a layer or loss you wrote.",
        "ko": "역전파(backward)를 중앙 차분(central difference)과 비교합니다(float64). minicnn의 "
        "모든 층을 확인하거나, module:ClassName을 주면 직접 작성한 층이나 손실을 확인합니다.",
    },
    "gc.cli.epilog": {
        "en": "examples: {prog} my_layer.py:MyConv --input-shape 2,3,8,8 --args '3, 4' "
        "--kwargs \"{{'stride': 2}}\" --reference mc.Conv2D;  {prog} my_loss.py:MyLoss "
        "--input-shape 4,5",
        "ko": "예: {prog} my_layer.py:MyConv --input-shape 2,3,8,8 --args '3, 4' "
        "--kwargs \"{{'stride': 2}}\" --reference mc.Conv2D;  {prog} my_loss.py:MyLoss "
        "--input-shape 4,5",
    },
    "gc.cli.help.target": {
        "en": "your layer or loss as module:ClassName, the module a dotted name or a path to "
        "a .py file (default: check every minicnn layer)",
        "ko": "확인할 층이나 손실을 module:ClassName으로 씁니다. module은 점으로 이은 모듈 "
        "이름이나 .py 파일의 경로입니다(주지 않으면 minicnn의 모든 층을 확인합니다)",
    },
    "gc.cli.help.input_shape": {
        "en": "input shape with the batch axis, e.g. 2,3,8,8 (a loss: its scores, N,classes; "
        "default 4,5)",
        "ko": "배치(batch) 축을 포함한 입력의 모양(shape), 예: 2,3,8,8 (손실이면 점수의 모양 "
        "N,classes, 기본값 4,5)",
    },
    "gc.cli.help.args": {
        "en": "constructor arguments as Python literals, e.g. '3, 4'",
        "ko": "생성자(constructor) 인자를 파이썬 리터럴로, 예: '3, 4'",
    },
    "gc.cli.help.kwargs": {
        "en": "constructor keywords as a dict, e.g. \"{{'stride': 2}}\"",
        "ko": "생성자(constructor) 키워드 인자를 dict로, 예: \"{{'stride': 2}}\"",
    },
    "gc.cli.help.reference": {
        "en": "minicnn's class to compare the forward output with, built with the same "
        "arguments, e.g. mc.MaxPool2D",
        "ko": "순전파(forward) 출력을 비교할 minicnn의 클래스, 같은 인자로 만듭니다. "
        "예: mc.MaxPool2D",
    },
    "gc.cli.help.seed": {
        "en": "seed of the input and upstream gradient (default 0)",
        "ko": "입력과 위에서 내려오는 기울기(upstream gradient)를 뽑는 시드(seed) (기본값 0)",
    },
    "gc.cli.help.lang": {
        "en": "language of the diagnostics (en)",
        "ko": "진단 메시지의 언어 (기본값 en)",
    },
    "gc.cli.help.backend": {
        "en": "kernel backend to check (default: the current one)",
        "ko": "확인할 커널 백엔드(backend) (기본값: 지금 쓰는 것)",
    },
    "gc.cli.raised": {
        "en": "building or running {target} raised {error}: {message}",
        "ko": "{target}을(를) 만들거나 실행하는 중에 {error}가 났습니다: {message}",
    },
    # -- the table
    "gc.table.layer": {"en": "layer", "ko": "층"},
    "gc.table.tensor": {"en": "tensor", "ko": "텐서"},
    "gc.table.error": {"en": "max rel error", "ko": "최대 상대 오차"},
    "gc.table.index": {"en": "worst index", "ko": "최대 오차 인덱스"},
    "gc.table.analytic": {"en": "analytic", "ko": "해석적"},
    "gc.table.numerical": {"en": "numerical", "ko": "수치"},
    "gc.table.result": {"en": "result", "ko": "결과"},
    "gc.table.pass": {"en": "pass", "ko": "통과"},
    "gc.table.fail": {"en": "FAIL", "ko": "실패"},
}


_current = threading.local()


@contextlib.contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Within the block, ``say`` without a language speaks ``lang`` (per thread:
    the grader grades several labs' files at once)."""
    before = getattr(_current, "lang", "en")
    _current.lang = lang
    try:
        yield
    finally:
        _current.lang = before


def current_language() -> str:
    """The language ``speaking`` set for this thread, English outside any block."""
    return str(getattr(_current, "lang", None) or "en")


def lookup(
    catalogue: Mapping[str, Mapping[str, str]], key: str, lang: str | None = None, **values
) -> str:
    """The message ``key`` of ``catalogue`` in ``lang`` (default: the current language),
    English where that language has no sentence, with ``values`` filled in."""
    entry = catalogue[key]
    return entry.get(lang or current_language(), entry["en"]).format(**values)


def say(key: str, lang: str | None = None, **values) -> str:
    """gradcheck's message ``key`` in ``lang`` (default: the current language)."""
    return lookup(MESSAGES, key, lang, **values)
