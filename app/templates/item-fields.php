<?php $item ??= ['name' => '', 'quantity' => '', 'store' => ''] ?>
<input type="hidden" name="<?= $e($csrfField) ?>" value="<?= $e($csrfToken) ?>">
<?php if (isset($item['version'])): ?>
<input type="hidden" name="version" value="<?= $e($item['version']) ?>">
<?php endif ?>
<label>Name <input name="name" value="<?= $e($item['name']) ?>" maxlength="100" required></label>
<label>Quantity <input name="quantity" value="<?= $e($item['quantity']) ?>" type="number" min="0" max="1000000" required></label>
<label>Store <input name="store" value="<?= $e($item['store']) ?>" maxlength="100" required></label>
