<h1>Sorry</h1>
<?php foreach ($messages as $message): ?>
<p class="error"><?= $e($message) ?></p>
<?php endforeach ?>
<p><a href="/">Back to the inventory</a></p>
